# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Differential test: the preflight and keepalived 2.2.7's own config test agree (issue 10, item 3).

Hypothesis generates inventories in the shape of inventories/example (two directors, a DR
pool on the front segment, a NAT pool inside, one to three services over one or two VRRP
instances), each field drawn from the values the model treats as valid up to and including
its bounds, and in up to three fields per inventory from values just past a bound or otherwise
wrong (:data:`INSTANCE_VALUES`, :data:`SERVICE_VALUES`, ...: the valid and the risky values
side by side). Each inventory is

* checked by the preflight (``validate_cluster``, as plugins/action/cluster_preflight.py does),
* rendered for every director with the role's own derive and template (tests_render.render:
  keepalived.conf.j2 and the lvs-auth.conf.j2 includes, in a temporary directory as
  tasks/configtest.yml does),
* put through the role's own config-test helper (lvs-keepalived-configtest.j2, rendered the
  same way, which runs ``keepalived --config-test``: keepalived 2.2.7 exits non-zero on every
  config message, warnings included) inside a network namespace per director that this test
  creates, with the interfaces the inventory may name as veth pairs and the director's
  addresses on them, matching the network facts the preflight is given.

Property: the preflight accepts <=> every director's configuration passes keepalived's config
test, and an accepted configuration carries what the inventory declared (every VIP on its
instance's interface, every real server with its port and weight). The preflight may refuse
more than keepalived only for the rules in :data:`BEYOND_THE_CONFIG_TEST`: mistakes keepalived
accepts but that break the cluster at run time or across hosts (each says why). It may accept
what keepalived refuses only where it had no facts to compare with and said so in its notes
(an interface the director lacks, inventories drawn without ``ansible_facts``).

``LVS_DIFFERENTIAL_EXAMPLES`` (default 200) sets the number of examples; the seed is fixed
(``derandomize``) unless ``LVS_DIFFERENTIAL_SEED`` is given. ``make differential`` runs a long
one. The run prints its examples, how many the preflight accepted, and its seconds.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import ModelError
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster
from ansible_collections.lvs.cluster.tests.unit.plugins.tests_render import (
    AUTH_INCLUDE,
    CONFIGTEST,
    render,
)

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("keepalived"), reason="needs root, iproute2 and keepalived")

EXAMPLES = int(os.environ.get("LVS_DIFFERENTIAL_EXAMPLES", "200"))
SEED = os.environ.get("LVS_DIFFERENTIAL_SEED") or None
# Shrinking a failure to its smallest inventory can take minutes: on for the long run only.
SHRINK = os.environ.get("LVS_DIFFERENTIAL_SHRINK", "0") == "1"

# --- the lab the inventories describe: addresses the netns carry and the facts report ------

DIRECTORS = ("lb1", "lb2")
# interface -> (IPv4 address per director, prefix, IPv6 address per director or None)
DIRECTOR_NETS = {
    "eth0": ({"lb1": "192.0.2.2", "lb2": "192.0.2.3"}, 24, {"lb1": "2001:db8::2", "lb2": "2001:db8::3"}),
    "eth1": ({"lb1": "198.51.100.2", "lb2": "198.51.100.3"}, 24, None),
}
MISSING_INTERFACE = "eth7"  # named by risky values only: no director has it
POOLS = {
    "pool_web": {"web1": "192.0.2.21", "web2": "192.0.2.22", "web3": "192.0.2.23"},  # front, beside eth0 (DR)
    "pool_app": {"app1": "198.51.100.31", "app2": "198.51.100.32", "app3": "198.51.100.33"},  # inside (NAT)
    "pool_far": {"far1": "203.0.113.51"},  # a routed network: TUN only
}
NETMASK = {24: "255.255.255.0"}


def director_facts(host):
    """The network facts `setup: gather_subset: [min, network]` gives on the director's netns."""
    facts = {"interfaces": ["lo"] + sorted(DIRECTOR_NETS)}
    for iface, (v4, prefix, v6) in DIRECTOR_NETS.items():
        entry = {"device": iface, "active": True, "ipv4": {"address": v4[host], "netmask": NETMASK[prefix]}}
        if v6:
            entry["ipv6"] = [{"address": v6[host], "prefix": "64", "scope": "global"}]
        facts[iface] = entry
    return facts


# --- what the generator draws: (valid values, up to and including the bounds), (risky values) ----

INSTANCE_VALUES = {
    "interface": (["eth0"], ["eth1", MISSING_INTERFACE, ""]),
    "virtual_router_id": ([1, 51, 255], [0, 256, "51a"]),
    "segment": ([None], ["backnet"]),
    "vrrp_version": ([2, 3], [1, 4]),
    "advert_int": ([1, 2], [0.01, 0.07, 0.2, 0.005, 40.95, 40.96, 255, 256, 0]),
    "auth_pass": ([None], ["Ch4ngeMe", "pass", "123456789", "ab cd", "a#b", "a!b", "\u00e9abcdefg"]),
    "unicast_peers": ([False, True], ["perhaps"]),
    "garp_master_repeat": ([None, 1, 5], [0, -1]),
    "garp_master_refresh": ([None, 60], [0, "x"]),
    "garp_master_delay": ([None, 5], [0]),
    "garp_lower_prio_repeat": ([None], [0, 1]),
    "preempt_delay": ([None], [0, 10, 1000, 1001]),
    "nopreempt": ([False], [True]),
    "track_interfaces": (
        [[], [{"name": "eth1", "weight": -60}], [{"name": "eth1", "weight": -60, "reverse": True}]],
        [["eth1"], ["eth0"], [MISSING_INTERFACE], ["eth1", "eth1"], [{"name": "eth1", "weight": -10}], [{"name": "eth1", "weight": 254}]],
    ),
    "notify_master": ([None, "/usr/bin/true lvs-master"], ['/usr/bin/true "quoted"', "true", "/usr/bin/true\nx"]),
}
SERVICE_VALUES = {
    "vip": (["203.0.113.10", "203.0.113.20"], ["2001:db8:10::10", "192.0.2.2", "203.0.113.0/24", "198.51.100.1"]),
    "port": ([80, 443, 1, 65535], [0, 65536]),
    "protocol": (["tcp"], ["udp", "sctp", "fwmark", "icmp"]),
    "fwmark": ([None], [1, 4294967295, 0]),
    "scheduler": (["wlc", "rr", "lc", "mh", "sh", "wrr"], ["fo", "ovf", "twos", "WLC", "bogus"]),
    # flag-1 and flag-2 suit every scheduler (sh and mh name them sh-/mh-fallback and -port).
    "scheduler_flags": ([None, ["flag-1"], ["flag-2", "flag-1"]], [["sh-port"], ["mh-fallback", "mh-port"], ["flag-3"], ["bogus"], "sh-port"]),
    "method": (["dr", "nat"], ["tun", "DR", "masq"]),
    "persistence_timeout": ([None, 300, 1], [0, 2678401]),
    "persistence_netmask": ([None], ["255.255.255.0", "0.0.0.255", "255.0.255.0", 64]),
    "quorum": ([None, 1], [2, 100, 200, 301, 0]),
    "hysteresis": ([None], [0, 1, 5]),
    "delay_loop": ([None, 5], [0, 1, "x"]),
    "inhibit_on_failure": ([False, True], []),
    "ops": ([False], [True]),
    "virtualhost": ([None], ["www.example.com", "a b"]),
    "sorry_server": ([None], ["same-port", "other-port", "203.0.113.99 80", "2001:db8::99"]),
    "quorum_up": ([None], ["/usr/bin/true up", 'a"b']),
}
CHECK_VALUES = {
    "type": (["TCP_CHECK", "HTTP_GET"], ["SSL_GET", "MISC_CHECK", None, "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "SMTP_CHECK"]),
    "connect_timeout": ([None, 3], [0, -1, 0.5]),
    "retry": ([None, 2], [0, -1]),
    "delay_before_retry": ([None, 2], [0]),
    "connect_port": ([None], [80, 0, 65536]),
    "status_code": ([None, 200], [204, 599, 600, 99, "200-299", "299-200", "200-600", "200 301-302", [200, "404"], "+200"]),
    "path": (["/healthz"], ["healthz", "/a b", "/"]),
    "warmup": ([None], [0, 5]),
    # UDP_CHECK
    "payload": ([None, "0a1b2c"], ["00ff", "xyz", "abc", ""]),
    "require_reply": ([None, True, "0a1b"], ["0aff", "0axx", "0a1"]),
    "min_reply_length": ([None, 1], [256, 70000]),
    "max_reply_length": ([None, 512], [0, -1]),
    # DNS_CHECK
    "query_type": ([None, "A"], ["soa", "DNSKEY", "PTR", ""]),
    "query_name": ([None, "www.example.com"], [".", "a..b", ".a", "example.com."]),
}
# The options of each check type beyond the common ones (the generator drops the others).
CHECK_TYPE_KEYS = {
    "HTTP_GET": ("connect_port", "status_code", "path"),
    "SSL_GET": ("connect_port", "status_code", "path"),
    "TCP_CHECK": ("connect_port",),
    "UDP_CHECK": ("connect_port", "payload", "require_reply", "min_reply_length", "max_reply_length"),
    "DNS_CHECK": ("connect_port", "query_type", "query_name"),
    "PING_CHECK": (),
}
CHECK_COMMON_KEYS = ("type", "connect_timeout", "retry", "delay_before_retry", "warmup")
BACKEND_VALUES = {
    "port": (["same"], [8080, 0, 65536]),
    "weight": ([None, 1, 100, 65535], [0, 65536, -1]),
    "uthreshold": ([None, 100, 65535], [0, -1, "x"]),
    "lthreshold": ([None, 0, 50], [100, 101, -1]),
    "notify_up": ([None, "/usr/bin/true up"], ['/usr/bin/true "up"', "true", "/usr/bin/true\rx"]),
    "notify_down": ([None, "/usr/bin/true down"], ["/usr/bin/true\nx", 5]),
    "group": (["pool_web", "pool_app"], ["pool_far", "pool_none"]),
}
HOST_VALUES = {
    "director_vrrp_priority": (["order", "distinct"], ["equal", "zero", "255", "swap"]),
    "director_vrrp_state": ([None], ["MASTER", "BACKUP", "backup", "primary"]),
    "director_vrrp_address": ([None], ["ipv6", "ipv4"]),
    "ansible_facts": (["gathered"], ["none"]),
    "lvs_backend_weight": ([None, 50], [0, 65536]),
    "lvs_backend_weights": ([None], ["drain", "unknown", "notamap"]),
    # director_vrrp_processes on both directors, tracked by the first instance (PROCESSES).
    "director_vrrp_processes": ([None, "params", "absent"], ["quorum0", "qmax", "weight255", "quoted", "slow"]),
}
PROCESSES = {
    "params": {"name": "haproxy", "process": "haproxy", "params": ["-f", "/etc/haproxy/haproxy.cfg"], "param_match": "partial", "delay": 0.5},
    "absent": {"name": "haproxy", "process": "telnetd", "full_command": True, "quorum": 1, "quorum_max": 0},
    "quorum0": {"name": "haproxy", "process": "haproxy", "quorum": 0},
    "qmax": {"name": "haproxy", "process": "haproxy", "quorum": 2, "quorum_max": 1},
    "weight255": {"name": "haproxy", "process": "haproxy", "weight": 255},
    "quoted": {"name": "haproxy", "process": 'ha"proxy'},
    "slow": {"name": "haproxy", "process": "haproxy", "delay": 3601},
}
TABLES = {"instance": INSTANCE_VALUES, "service": SERVICE_VALUES, "check": CHECK_VALUES, "backend": BACKEND_VALUES, "host": HOST_VALUES}
RISKY = [(table, key) for table, values in TABLES.items() for key, (_valid, risky) in values.items() if risky]


def _field(draw, table, key, risky):
    valid, bad = TABLES[table][key]
    return draw(st.sampled_from(bad if (table, key) in risky else valid))


def _instance(draw, index, risky):
    inst = {"name": "VI_%d" % (index + 1), "group": "directors"}
    for key in INSTANCE_VALUES:
        value = _field(draw, "instance", key, risky if index == 0 else ())
        if value is not None:
            inst[key] = value
    if index == 1:  # a second instance: same segment, its own id (unless it collides on purpose)
        inst["virtual_router_id"] = draw(st.sampled_from([52, inst.get("virtual_router_id", 51)]))
    return inst


def _health_check(draw, risky):
    check = {}
    for key in CHECK_VALUES:
        value = _field(draw, "check", key, risky)
        if value is not None:
            check[key] = value
    if "type" not in check:
        return None
    if check["type"] == "MISC_CHECK":
        check = {k: v for k, v in check.items() if k in ("type", "warmup", "retry", "delay_before_retry")}
        check["misc_path"] = "/usr/bin/true check"
    elif check["type"] in CHECK_TYPE_KEYS:
        check = {k: v for k, v in check.items() if k in CHECK_COMMON_KEYS + CHECK_TYPE_KEYS[check["type"]]}
    return check


def _service(draw, index, instances, risky):
    mine = risky if index == 0 else ()
    svc = {"name": "svc%d" % index, "vrrp_instance": draw(st.sampled_from([i["name"] for i in instances]))}
    for key in SERVICE_VALUES:
        value = _field(draw, "service", key, mine)
        if value is not None:
            svc[key] = value
    if index > 0:  # keep the other services apart, so one risky value decides
        svc["vip"] = "203.0.113.%d" % (30 + index)
    if svc.get("protocol") != "fwmark":
        svc.pop("fwmark", None)
    else:
        svc.pop("port", None)
    sorry = svc.pop("sorry_server", None)
    if sorry == "same-port":
        svc["sorry_server"] = {"address": "192.0.2.99", "port": svc.get("port", 80)}
    elif sorry == "other-port":
        svc["sorry_server"] = {"address": "192.0.2.99", "port": 8443}
    elif sorry is not None:
        svc["sorry_server"] = sorry
    check = _health_check(draw, mine)
    if check is not None:
        svc["health_check"] = check
    groups = ["pool_web"] if svc.get("method", "dr") == "dr" else ["pool_app"] if svc.get("method") == "nat" else ["pool_web"]
    backend = {"group": _field(draw, "backend", "group", mine) if ("backend", "group") in mine else groups[0]}
    port = _field(draw, "backend", "port", mine)
    backend["port"] = svc.get("port", 80) if port == "same" else port
    for key in ("weight", "uthreshold", "lthreshold", "notify_up", "notify_down"):
        value = _field(draw, "backend", key, mine)
        if value is not None:
            backend[key] = value
    svc["backends"] = [backend]
    return svc


def build_hosts(instances, services, host):
    """hostvars and groups of the lab-shaped inventory: both directors, the pools, ``host``'s HOST_VALUES choices."""
    hostvars, groups = {}, {"directors": list(DIRECTORS)}
    for index, name in enumerate(DIRECTORS):
        hv = {"ansible_host": DIRECTOR_NETS["eth0"][0][name]}
        if host["ansible_facts"] == "gathered":
            hv["ansible_facts"] = director_facts(name)
        prio = {"order": None, "distinct": [120, 80][index], "equal": 100, "zero": [0, 100][index], "255": [255, 100][index], "swap": [90, 200][index]}[
            host["director_vrrp_priority"]
        ]
        if prio is not None:
            hv["director_vrrp_priority"] = prio
        if host["director_vrrp_state"] is not None and index == 1:
            hv["director_vrrp_state"] = host["director_vrrp_state"]
        if host["director_vrrp_address"] == "ipv6":
            hv["director_vrrp_address"] = DIRECTOR_NETS["eth0"][2][name]
        elif host["director_vrrp_address"] == "ipv4":
            hv["director_vrrp_address"] = DIRECTOR_NETS["eth0"][0][name]
        hostvars[name] = hv
    for pool, members in POOLS.items():
        groups[pool] = list(members)
        for index, (name, address) in enumerate(members.items()):
            hv = {"ansible_host": address}
            if index == 2:
                if host["lvs_backend_weight"] is not None:
                    hv["lvs_backend_weight"] = host["lvs_backend_weight"]
                weights = {"drain": {services[0]["name"]: 0}, "unknown": {"nosuch": 5}, "notamap": "svc0=5"}.get(host["lvs_backend_weights"])
                if weights is not None:
                    hv["lvs_backend_weights"] = weights
            hostvars[name] = hv
    groups["all"] = list(hostvars)
    for hv in hostvars.values():
        hv["lvs_vrrp_instances"] = copy.deepcopy(instances)
        hv["lvs_services"] = copy.deepcopy(services)
        hv["director_vrrp_scripts"] = []
    if host["director_vrrp_processes"] is not None:  # the first instance tracks it (inventories())
        for name in DIRECTORS:
            hostvars[name]["director_vrrp_processes"] = [copy.deepcopy(PROCESSES[host["director_vrrp_processes"]])]
    return hostvars, groups


@st.composite
def inventories(draw):
    """(lvs_vrrp_instances, lvs_services, hostvars, groups, risky): one generated inventory."""
    risky = frozenset(draw(st.lists(st.sampled_from(RISKY), max_size=3, unique=True)))
    instances = [_instance(draw, i, risky) for i in range(draw(st.integers(1, 2)))]
    services = [_service(draw, i, instances, risky) for i in range(draw(st.integers(1, 3)))]
    # A NAT service needs the instance's floating inside gateway; give it the example's.
    for svc in services:
        if svc.get("method") == "nat":
            inst = [i for i in instances if i["name"] == svc["vrrp_instance"]][0]
            inst.setdefault("nat_gateway", "198.51.100.1/24")
            inst.setdefault("nat_interface", "eth1")
    # Every instance carries a service unless the generator leaves one empty on purpose.
    for inst in instances:
        if not any(s["vrrp_instance"] == inst["name"] for s in services) and not draw(st.booleans()):
            services[-1]["vrrp_instance"] = inst["name"]
    host = {key: _field(draw, "host", key, risky) for key in HOST_VALUES}
    if host["director_vrrp_processes"] is not None:
        instances[0]["track_processes"] = [PROCESSES[host["director_vrrp_processes"]]["name"]]
    hostvars, groups = build_hosts(instances, services, host)
    return instances, services, hostvars, groups, risky


# --- the preflight may refuse more than keepalived -t only for these --------------------------

BEYOND_THE_CONFIG_TEST = (
    # (variable pattern, message pattern, why keepalived's config test cannot see it)
    (r"^director_vrrp_priority$", r"equals that of", "equal priorities are each valid on their own host; VRRP then elects by address"),
    (r"\.group$", r"has \d+ MASTERs", "each director's file is valid alone; two MASTERs only meet on the wire"),
    (r"^director_vrrp_state$", r"has a higher priority and will take the VIP", "the intent, not a host's file, is wrong"),
    (r"\.virtual_router_id$", r"is already used by", "instances on one segment meet on the wire"),
    (r"\.vip$", r"is also the address of host", "another host's address: keepalived sees only its own host"),
    (r"\.vip$", r"is the nat_gateway of", "one address as VIP and as gateway: each line is valid, the two collide on the network"),
    (r"\.(vip|nat_gateway)$", r"is the address of interface .* \(per its facts\)", "another host's address: keepalived sees only its own host"),
    (r"\.nat_gateway$", r"is also the address of host", "another host's address: keepalived sees only its own host"),
    (r"\.auth_pass$", r"contains whitespace, '#' or '!'", "keepalived accepts the shorter password it reads, silently"),
    (r"\.auth_pass$", r"keepalived uses only the first 8", "keepalived truncates the password, silently"),
    (r"\.persistence_netmask$", r"is a host mask", "a valid mask that groups clients by their last bits"),
    (r"\.fwmark$", r"is also the mark of service", "IPVS refuses the second service when keepalived adds it, not at the config test"),
    (r"\.backends\[\d+\]\.group$", r"is not on director .* segment", "DR by MAC needs one L2 segment: the network, not the file"),
    (r"\.backends\[\d+\]\.group$", r"its replies have no route back", "NAT replies route through the directors: the network, not the file"),
    (r"^lvs_backend_weights$", r"names unknown service", "a weight nobody reads"),
    (r"^director_vrrp_address$", r"is not an address of", "keepalived accepts a unicast_src_ip the host lacks; VRRP cannot send from it"),
    (r"^lvs_backend_address$", r"is not an address of", "a real server's own addresses are on another host"),
    (r"^lvs_backend_weights$", r"must be a mapping", "the role would ignore the weight the operator meant"),
    (r"^lvs_backend_weights?$", r"must be an integer", "a wrong weight on a host no service of the file uses (where one does, the derivation refuses it too)"),
    (r"\.health_check$", r"the default TCP_CHECK connects over TCP", "a TCP probe of a UDP or SCTP pool: valid, and marks it down"),
    (r"\.nat_gateway$", r"is not set but NAT service", "NAT real servers need the floating gateway to answer: the network, not the file"),
    (
        r"\.track_(interfaces|scripts|processes)$",
        r"so the VIP does not move|never moves the VIP",
        "each weight is valid; the other directors' priorities decide whether it moves the VIP",
    ),
)


def beyond_the_config_test(problem):
    return any(re.search(var, problem.variable) and re.search(msg, problem.message) for var, msg, _why in BEYOND_THE_CONFIG_TEST)


# --- the network namespaces and keepalived's config test ------------------------------------


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


@pytest.fixture(scope="module")
def namespaces():
    """One network namespace per director, with its interfaces (veth pairs) and addresses; always removed."""
    tag = uuid.uuid4().hex[:6]
    made = {}
    try:
        for host in DIRECTORS:
            ns = "lvsdiff-%s-%s" % (tag, host)
            sh("ip", "netns", "add", ns)
            made[host] = ns
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for iface, (v4, prefix, v6) in DIRECTOR_NETS.items():
                sh("ip", "-n", ns, "link", "add", iface, "type", "veth", "peer", "name", iface + "p")
                sh("ip", "-n", ns, "addr", "add", "%s/%d" % (v4[host], prefix), "dev", iface)
                if v6:
                    sh("ip", "-n", ns, "addr", "add", "%s/64" % v6[host], "dev", iface, "nodad")
                sh("ip", "-n", ns, "link", "set", iface, "up")
                sh("ip", "-n", ns, "link", "set", iface + "p", "up")
        yield made
    finally:
        for ns in made.values():
            sh("ip", "netns", "del", ns, check=False)


HELPER = {}


def config_test(ns, hostvars, groups, host, workdir):
    """(rc, messages, keepalived.conf text) of the role's config-test helper on the director's rendered files."""
    conf = os.path.join(workdir, "keepalived.conf")
    extra = {"director_keepalived_conf": conf}
    text = render(None, hostvars, groups, host, extra=extra)
    with open(conf, "w", encoding="utf-8") as fh:
        fh.write(text)
    for inst in hostvars[host]["lvs_vrrp_instances"]:
        if "include %s/lvs-auth-%s.conf" % (workdir, inst["name"]) in text:
            with open(os.path.join(workdir, "lvs-auth-%s.conf" % inst["name"]), "w", encoding="utf-8") as fh:
                fh.write(render(None, hostvars, groups, host, AUTH_INCLUDE, dict(extra, item=inst)))
    if "configtest" not in HELPER:  # the same for every host and inventory: rendered once
        HELPER["configtest"] = render(None, hostvars, groups, host, CONFIGTEST, extra)
    rc, messages = run_config_test(ns, workdir, conf)
    return rc, messages, text


def run_config_test(ns, workdir, conf):
    """(rc, messages) of the role's config-test helper (rendered by a first config_test) on the file ``conf``."""
    helper = os.path.join(workdir, "configtest")
    with open(helper, "w", encoding="utf-8") as fh:
        fh.write(HELPER["configtest"])
    # As tasks/configtest.yml: the script user is one the role creates later in the run.
    env = dict(os.environ, LVS_CONFIGTEST_CREATED_LATER="keepalived_script")
    proc = subprocess.run(["ip", "netns", "exec", ns, "sh", helper, conf], capture_output=True, text=True, env=env, check=False)
    return proc.returncode, (proc.stderr + proc.stdout).strip()


def expected_weight(hostvars, host, service, backend):
    """What the inventory declares for one real server: lvs_backend_weights, lvs_backend_weight, the backend's, 1."""
    hv = hostvars[host]
    weights = hv.get("lvs_backend_weights")
    if isinstance(weights, dict) and service in weights:
        return weights[service]
    if hv.get("lvs_backend_weight") is not None:
        return hv["lvs_backend_weight"]
    return backend.get("weight", 1)


def declared_content_missing(instances, services, hostvars, groups, texts):
    """What an accepted inventory declared and a director's keepalived.conf lacks (empty when all is there)."""
    missing = []
    by_name = {i["name"]: i for i in instances}
    for svc in services:
        inst = by_name[svc["vrrp_instance"]]
        width = 128 if ":" in svc["vip"] else 32
        for host in groups[inst["group"]]:
            text = texts[host]
            block = text.split("vrrp_instance %s {" % inst["name"], 1)[1].split("\n}\n", 1)[0]
            for entry in inst.get("track_interfaces", []):
                entry = {"name": entry} if isinstance(entry, str) else entry
                line = "        %s%s%s\n" % (
                    entry["name"],
                    " weight %d" % entry["weight"] if "weight" in entry else "",
                    " reverse" if entry.get("reverse") else "",
                )
                if line not in block:
                    missing.append("%s: %s lacks the tracked interface %r" % (host, inst["name"], line.strip()))
            if "        %s/%d dev %s\n" % (svc["vip"], width, inst["interface"]) not in block:
                missing.append("%s: VIP %s of %s not in %s's virtual_ipaddress" % (host, svc["vip"], svc["name"], inst["name"]))
            head = "virtual_server fwmark %s {" % svc["fwmark"] if svc.get("protocol") == "fwmark" else "virtual_server %s %s {" % (svc["vip"], svc["port"])
            if head not in text:
                missing.append("%s: no '%s' for %s" % (host, head, svc["name"]))
                continue
            vs = text.split(head, 1)[1].split("\n}\n", 1)[0]
            for backend in svc["backends"]:
                for member in groups[backend["group"]]:
                    # The generated inventories declare no pool states: every real server is active.
                    line = "    real_server %s %s {\n        # %s (%s)\n        weight %s\n" % (
                        hostvars[member]["ansible_host"],
                        backend["port"],
                        member,
                        backend["group"],
                        expected_weight(hostvars, member, svc["name"], backend),
                    )
                    for key in ("uthreshold", "lthreshold"):
                        if backend.get(key):
                            line += "        %s %s\n" % (key, backend[key])
                    for key in ("notify_up", "notify_down"):
                        if backend.get(key):
                            line += '        %s "%s"\n' % (key, backend[key])
                    if line not in vs:
                        missing.append("%s: %s lacks %r" % (host, svc["name"], line.strip()))
            for line in flag_lines(svc):
                if line not in vs:
                    missing.append("%s: %s lacks %r" % (host, svc["name"], line.strip()))
            for line in check_lines(svc.get("health_check")):
                if line not in vs:
                    missing.append("%s: %s's check lacks %r" % (host, svc["name"], line.strip()))
    return missing


def flag_lines(svc):
    """The scheduler and its flags as keepalived.conf must give them: sh and mh name bits 1 and 2 (and always fall back)."""
    scheduler = svc.get("scheduler", "wlc")
    flags = svc.get("scheduler_flags") or []
    own = {"flag-1": "%s-fallback" % scheduler, "flag-2": "%s-port" % scheduler} if scheduler in ("sh", "mh") else {}
    names = [own.get(flag, flag) for flag in flags] + (["%s-fallback" % scheduler] if own else [])
    return ["    lvs_sched %s\n" % scheduler] + ["    %s\n" % name for name in names]


def check_lines(check):
    """The lines of keepalived.conf that a declared health check's type and its UDP/DNS options must give."""
    check = check or {"type": "TCP_CHECK"}
    lines = ["        %s {\n" % check["type"]]
    keywords = {"query_type": "type", "query_name": "name"}
    for key in ("payload", "require_reply", "min_reply_length", "max_reply_length", "query_type", "query_name"):
        if check.get(key) in (None, False):
            continue
        value = check[key]
        if value is True:
            lines.append("            %s\n" % key)
        else:
            value = value.upper() if key == "query_type" else value.lower() if key in ("payload", "require_reply") else value
            lines.append("            %s %s\n" % (keywords.get(key, key), value))
    return lines


# --- the property -----------------------------------------------------------------------------

STATS = {"examples": 0, "accepted": 0, "refused_by_both": 0, "beyond": 0, "unchecked": 0, "keepalived_runs": 0}
# keepalived's words for an interface the director lacks: what the preflight compares with facts, when there are facts.
MISSING_INTERFACE_WORDS = re.compile(r"doesn't exist|Non-existent interface|keepalived config test of .* failed")


def unchecked_explains(notes, results):
    """Without network facts the preflight cannot see a missing interface; it must say so, and that must be all keepalived found."""
    if not any("not checked on director" in note for note in notes):
        return False
    lines = [line for _rc, messages in results.values() for line in messages.splitlines() if line.strip()]
    return bool(lines) and all(MISSING_INTERFACE_WORDS.search(line) for line in lines)


def check_one(namespaces, example):
    instances, services, hostvars, groups, risky = example
    problems, notes = validate_cluster(copy.deepcopy(instances), copy.deepcopy(services), hostvars, groups)
    results, texts = {}, {}
    workdir = tempfile.mkdtemp(prefix="lvs-differential.")
    try:
        for host in DIRECTORS:
            os.makedirs(os.path.join(workdir, host))
            try:
                rc, messages, texts[host] = config_test(namespaces[host], hostvars, groups, host, os.path.join(workdir, host))
                STATS["keepalived_runs"] += 1
            except ModelError as exc:  # the derivation itself refuses: nothing could be deployed
                rc, messages = None, "derive: %s" % exc
            results[host] = (rc, messages)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    deployable = all(rc == 0 for rc, _m in results.values())
    STATS["examples"] += 1
    shown = "risky fields %s\nlvs_vrrp_instances: %r\nlvs_services: %r\nproblems:\n  %s\nconfig test:\n  %s" % (
        sorted(risky),
        instances,
        services,
        "\n  ".join(str(p) for p in problems) or "none",
        "\n  ".join("%s: rc=%s %s" % (h, rc, m) for h, (rc, m) in results.items()),
    )
    if not problems and not deployable and unchecked_explains(notes, results):
        STATS["unchecked"] += 1  # no facts: the preflight said it could not compare the interfaces, and keepalived found one missing
        return
    if not problems:
        assert deployable, "the preflight accepts what keepalived's config test (or the derivation) refuses\n" + shown
        missing = declared_content_missing(instances, services, hostvars, groups, texts)
        assert not missing, "accepted, but the rendered configuration lacks what was declared: %s\n%s" % (missing, shown)
        STATS["accepted"] += 1
    elif deployable:
        unexplained = [str(p) for p in problems if not beyond_the_config_test(p)]
        assert not unexplained, "the preflight refuses what keepalived's config test accepts, for a rule that is not in BEYOND_THE_CONFIG_TEST: %s\n%s" % (
            unexplained,
            shown,
        )
        STATS["beyond"] += 1
    else:
        STATS["refused_by_both"] += 1


def test_preflight_agrees_with_keepalived_config_test(namespaces, capsys):
    start = time.monotonic()
    options = dict(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )
    if SEED is None:
        options["derandomize"] = True
    if not SHRINK:
        options["phases"] = [Phase.explicit, Phase.generate]

    @settings(**options)
    @given(inventories())
    def prop(example):
        check_one(namespaces, example)

    if SEED is not None:
        prop = seed(int(SEED))(prop)
    try:
        prop()
    finally:
        with capsys.disabled():  # the cost shows in every run (make host-test is quiet otherwise)
            print(
                "\ndifferential test (seed %s): %d examples, %d accepted by both, %d refused by both, %d refused by the "
                "preflight only for run-time rules, %d not checked for want of facts (and said so), %d keepalived config tests, "
                "%.1f s"
                % (
                    SEED or "fixed",
                    STATS["examples"],
                    STATS["accepted"],
                    STATS["refused_by_both"],
                    STATS["beyond"],
                    STATS["unchecked"],
                    STATS["keepalived_runs"],
                    time.monotonic() - start,
                )
            )


# --- the checks of UDP services, one of each, and keepalived's own refusals --------------------

CHECKED_SERVICES = [
    {
        "name": "dns",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.53",
        "port": 53,
        "protocol": "udp",
        "scheduler": "rr",
        "health_check": {"type": "DNS_CHECK", "query_type": "a", "query_name": "www.example.com"},
        "backends": [{"group": "pool_web", "port": 53}],
    },
    {
        "name": "syslog",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.54",
        "port": 514,
        "protocol": "udp",
        "scheduler": "rr",
        "health_check": {"type": "UDP_CHECK", "payload": "3C31333E74657374", "require_reply": "3cXX", "min_reply_length": 2, "max_reply_length": 512},
        "backends": [{"group": "pool_web", "port": 514}],
    },
    {
        "name": "pinged",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.55",
        "port": 80,
        "scheduler": "rr",
        "health_check": {"type": "PING_CHECK", "retry": 1},
        "backends": [{"group": "pool_web", "port": 80}],
    },
]


def checked_example(services):
    instances = [{"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51}]
    hostvars, groups = build_hosts(instances, services, {key: valid[0] for key, (valid, _risky) in HOST_VALUES.items()})
    return instances, copy.deepcopy(services), hostvars, groups, frozenset()


def test_udp_dns_and_ping_checks_pass_the_preflight_and_the_config_test(namespaces):
    accepted = STATS["accepted"]
    check_one(namespaces, checked_example(CHECKED_SERVICES))
    assert STATS["accepted"] == accepted + 1


@pytest.mark.parametrize(
    "check",
    [
        {"type": "UDP_CHECK", "payload": "00ff"},  # keepalived 2.2.7 refuses a hex string that ends in ff
        {"type": "UDP_CHECK", "require_reply": True, "min_reply_length": 300},  # above the default max of 255
        {"type": "DNS_CHECK", "query_type": "PTR"},
        {"type": "DNS_CHECK", "query_name": "a..b"},
    ],
)
def test_what_keepalived_refuses_in_those_checks_the_preflight_refuses(namespaces, check):
    services = copy.deepcopy(CHECKED_SERVICES[:1])
    services[0]["health_check"] = check
    refused = STATS["refused_by_both"]
    check_one(namespaces, checked_example(services))
    assert STATS["refused_by_both"] == refused + 1


# --- scheduler flags and real-server thresholds: what each side makes of them -----------------

LIMITED = {
    "name": "limited",
    "vrrp_instance": "VI_1",
    "vip": "203.0.113.56",
    "port": 80,
    "scheduler": "sh",
    "scheduler_flags": ["sh-port"],
    "backends": [{"group": "pool_web", "port": 80, "uthreshold": 1000, "lthreshold": 800}],
}


def test_scheduler_flags_and_thresholds_pass_both_and_are_rendered(namespaces):
    accepted = STATS["accepted"]
    check_one(namespaces, checked_example([LIMITED]))  # declared_content_missing reads the flag and threshold lines
    assert STATS["accepted"] == accepted + 1


def test_keepalived_takes_flags_the_scheduler_never_reads_and_any_thresholds(namespaces):
    """Why the preflight refuses what keepalived 2.2.7's config test passes (model.py's scheduler flag and threshold rules).

    The preflight's refusal stops the derivation, so the property never hands these to
    keepalived; this pins keepalived's side on the accepted file, edited: a flag another
    scheduler's, and an lthreshold above uthreshold, pass its config test without a word; an
    sh flag on a scheduler that is neither sh nor mh fails it.
    """
    _i, _s, hostvars, groups, _r = checked_example([LIMITED])
    workdir = tempfile.mkdtemp(prefix="lvs-differential.")
    try:
        rc, messages, text = config_test(namespaces["lb1"], hostvars, groups, "lb1", workdir)
        assert rc == 0, messages
        # The scheduler first (keepalived reads sh-* against the scheduler already set), then its flags.
        assert "    lvs_sched sh\n    sh-fallback\n    sh-port\n    lvs_method DR\n" in text
        assert "        weight 1\n        uthreshold 1000\n        lthreshold 800\n" in text
        variants = {
            "sh-port on mh": text.replace("lvs_sched sh\n", "lvs_sched mh\n").replace("    sh-fallback\n", ""),
            "flag-3 on sh": text.replace("    sh-port\n", "    sh-port\n    flag-3\n"),
            "lthreshold above uthreshold": text.replace("lthreshold 800\n", "lthreshold 1001\n"),
            "sh-port on wlc": text.replace("lvs_sched sh\n", "lvs_sched wlc\n").replace("    sh-fallback\n", ""),
        }
        verdicts = {}
        for name, variant in variants.items():
            assert variant != text, name
            conf = os.path.join(workdir, "variant.conf")
            with open(conf, "w", encoding="utf-8") as fh:
                fh.write(variant)
            verdicts[name] = run_config_test(namespaces["lb1"], workdir, conf)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    silent = {name: verdict for name, verdict in verdicts.items() if name != "sh-port on wlc"}
    assert all(rc == 0 for rc, _m in silent.values()), silent
    rc, messages = verdicts["sh-port on wlc"]
    assert rc != 0 and "only applies to sh scheduler" in messages, verdicts["sh-port on wlc"]


# --- tracked processes: director_vrrp_processes rendered as vrrp_track_process ----------------


def process_example(kind):
    instances, services, hostvars, groups, risky = checked_example(CHECKED_SERVICES[:1])
    instances[0]["track_processes"] = ["haproxy"]
    for hv in hostvars.values():
        hv["lvs_vrrp_instances"][0]["track_processes"] = ["haproxy"]
    for name in DIRECTORS:
        hostvars[name]["director_vrrp_processes"] = [copy.deepcopy(PROCESSES[kind])]
    return instances, services, hostvars, groups, risky


@pytest.mark.parametrize("kind", ["params", "absent"])
def test_tracked_processes_pass_both_and_are_rendered(namespaces, kind):
    accepted = STATS["accepted"]
    check_one(namespaces, process_example(kind))
    assert STATS["accepted"] == accepted + 1
    _i, _s, hostvars, groups, _r = process_example(kind)
    workdir = tempfile.mkdtemp(prefix="lvs-differential.")
    try:
        rc, messages, text = config_test(namespaces["lb1"], hostvars, groups, "lb1", workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert rc == 0, messages
    block = {
        "params": 'vrrp_track_process haproxy {\n    process "haproxy" "-f" "/etc/haproxy/haproxy.cfg"\n    param_match partial\n'
        "    quorum 1\n    delay 0.5\n    weight 0\n}\n",
        "absent": 'vrrp_track_process haproxy {\n    process "telnetd"\n    quorum 1\n    quorum_max 0\n    full_command\n    weight 0\n}\n',
    }[kind]
    assert block in text and "    track_process {\n        haproxy\n    }\n" in text


@pytest.mark.parametrize("kind", ["quorum0", "qmax", "weight255", "quoted", "slow"])
def test_what_keepalived_refuses_in_a_tracked_process_the_preflight_refuses(namespaces, kind):
    refused = STATS["refused_by_both"]
    check_one(namespaces, process_example(kind))
    assert STATS["refused_by_both"] == refused + 1


# --- a backend's notify_up/notify_down: rendered in each real server, accepted by keepalived ------


def test_real_server_scripts_pass_both_and_are_rendered(namespaces):
    scripted = dict(LIMITED, name="scripted", vip="203.0.113.57", scheduler="wlc", scheduler_flags=[])
    scripted["backends"] = [{"group": "pool_web", "port": 80, "notify_up": "/usr/bin/true up", "notify_down": "/usr/bin/true down"}]
    accepted = STATS["accepted"]
    check_one(namespaces, checked_example([scripted]))  # declared_content_missing reads the notify_up/notify_down lines
    assert STATS["accepted"] == accepted + 1
