# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Characterisation of the cluster model: today's normalised output and every message, pinned.

The shipped inventories (loaded with Ansible's own inventory and variable managers) and
deliberately bad variants of them go through ``normalise``, ``validate_cluster`` and the
derivations; the result (normalised instances and services, every problem, every note,
what each host derives, or the ModelError text) must equal the recording in
``fixtures/characterisation.json``. It pins behaviour while the model is restructured.

Re-record only when a change of behaviour is intended:
``python tests/unit/plugins/module_utils/cluster/test_characterisation.py --record``.
"""

from __future__ import annotations

import copy
import json
import os
import sys

import pytest

from ansible_collections.lvs.cluster.tests.unit.plugins.tests_inventory import load_inventory

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "characterisation.json")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
# Every host variable the model, the validation and the derivations read.
HOST_VARS = (
    "ansible_host",
    "lvs_backend_address",
    "director_vrrp_address",
    "director_vrrp_priority",
    "director_vrrp_state",
    "lvs_backend_weight",
    "lvs_backend_weights",
    "ansible_facts",
    "lvs_vrrp_instances",
    "lvs_services",
)


def load(inventory):
    """(hostvars, groups) of a shipped inventory as plain data, templated as a playbook sees them."""
    hostvars, groups = load_inventory(inventory)[1:]
    groups = dict(sorted(groups.items()))
    plain = {}
    for host in groups["all"]:
        mine = hostvars[host]
        plain[host] = {var: json.loads(json.dumps(mine[var])) for var in HOST_VARS if var in mine}
    return plain, groups


def facts(interface, address, netmask="255.255.255.0", interfaces=("eth0", "eth1", "lo")):
    return {"interfaces": list(interfaces), interface: {"ipv4": {"address": address, "netmask": netmask}}}


def declare(hostvars, instances=None, services=None, hosts=None):
    """Give ``hosts`` (default: every host) the declaration, as group_vars/all does."""
    for host in hosts or list(hostvars):
        if instances is not None:
            hostvars[host]["lvs_vrrp_instances"] = copy.deepcopy(instances)
        if services is not None:
            hostvars[host]["lvs_services"] = copy.deepcopy(services)


def _vrrp_fields(hostvars, groups):
    base = hostvars["lb1"]["lvs_vrrp_instances"]
    instances = copy.deepcopy(base) + [
        "oops",
        {"name": "bad name!", "group": "directors"},
        {
            "name": "VI_A",
            "colour": "blue",
            "group": "",
            "virtual_router_id": "x",
            "vrrp_version": 4,
            "advert_int": 0,
            "auth_pass": 123456789,
            "unicast_peers": "maybe",
            "nat_gateway": "198.51.100.1",
            "garp_master_delay": -1,
            "garp_master_refresh": "abc",
            "preempt_delay": 5,
            "nopreempt": "perhaps",
            "track_interfaces": "eth1",
            "track_scripts": [1],
            "notify_master": "relative.sh",
            "notify": 5,
        },
        {"name": "VI_A", "group": "directors", "interface": "eth0", "virtual_router_id": 60},
        {
            "name": "VI_B",
            "group": "directors",
            "interface": "eth0",
            "virtual_router_id": 61,
            "vrrp_version": 2,
            "advert_int": 0.5,
            "auth_pass": "ok",
            "track_interfaces": ["eth0", "eth1"],
            "nat_gateway": "198.51.100.2/24",
            "nopreempt": "yes",
            "garp_lower_prio_repeat": "3",
            "notify_stop": "/usr/local/sbin/stop.sh",
        },
        {
            "name": "VI_C",
            "group": "directors",
            "interface": "eth0",
            "virtual_router_id": 62,
            "vrrp_version": "3",
            "advert_int": 0.005,
            "auth_pass": "x",
            "unicast_peers": "no",
        },
        {"name": "VI_D", "group": "directors", "interface": "eth0", "virtual_router_id": 63, "vrrp_version": 3, "advert_int": 0.123, "auth_pass": ""},
        {
            "name": "VI_E",
            "group": "directors",
            "interface": "eth-2",
            "virtual_router_id": 256,
            "advert_int": "abc",
            "segment": 7,
            "track_scripts": "chk_nginx",
            "nat_interface": "eth9",
        },
        {"name": "VI_F", "group": "directors", "interface": "eth0", "virtual_router_id": 64, "advert_int": 300, "vrrp_version": None},
        {
            "name": "VI_G",
            "group": "directors",
            "interface": "eth0",
            "virtual_router_id": 51,
            "advert_int": "0.25",
            "vrrp_version": 3,
            "segment": "front",
            "track_interfaces": [],
            "track_scripts": None,
        },
        {"name": 5},
    ]
    declare(hostvars, instances=instances)


def _service_fields(hostvars, groups):
    base = hostvars["lb1"]["lvs_services"]
    services = copy.deepcopy(base) + [
        42,
        {"vip": "203.0.113.99"},
        {
            "name": "bad1",
            "colour": 1,
            "vrrp_instance": "VI_9",
            "vip": "203.0.113.10/32",
            "protocol": "icmp",
            "port": 70000,
            "fwmark": 3,
            "scheduler": "fastest",
            "method": "fullnat",
            "persistence_timeout": 0,
            "persistence_netmask": "255.255.255.0",
            "health_check": "TCP",
            "delay_loop": 0,
            "sorry_server": "nowhere",
            "quorum": 0,
            "hysteresis": -1,
            "quorum_up": "script.sh",
            "quorum_down": 5,
            "inhibit_on_failure": "maybe",
            "ops": True,
            "alpha": 2,
            "omega": "yes",
            "virtualhost": "a b",
            "backends": [],
        },
        {"name": "bad1", "vrrp_instance": "VI_WEB"},
        {
            "name": "fw",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.40",
            "protocol": "fwmark",
            "fwmark": 0,
            "port": 80,
            "persistence_granularity": 24,
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "fw_ok",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.41",
            "fwmark": "7",
            "persistence_timeout": "600",
            "persistence_granularity": "255.255.0.0",
            "scheduler": "sh",
            "backends": [{"group": "pool_web", "port": 0}],
        },
        {
            "name": "v6",
            "vrrp_instance": "VI_WEB",
            "vip": "2001:db8::1",
            "port": 0,
            "protocol": "UDP",
            "persistence_netmask": 200,
            "ops": "yes",
            "backends": ["pool_web", {"group": "pool_web"}, {"port": 80}, "", {"group": "pool_app", "colour": 1, "port": -1, "weight": "heavy"}],
        },
        {
            "name": "v6b",
            "vrrp_instance": "VI_WEB",
            "vip": "2001:db8::2",
            "port": 443,
            "persistence_timeout": 300,
            "persistence_netmask": "64",
            "method": "TUN",
            "sorry_server": {"address": "2001:db8::99"},
            "backends": [{"group": "pool_web"}],
            "hysteresis": "2",
            "quorum": "3",
            "quorum_up": "/usr/local/sbin/up.sh",
            "virtualhost": "www.example.com",
        },
        {
            "name": "dup_endpoint",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.10",
            "port": 443,
            "backends": [{"group": "pool_web"}],
            "sorry_server": ["192.0.2.1"],
            "persistence_timeout": 9999999,
        },
        {
            "name": "http",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.50",
            "port": 80,
            "sorry_server": {"address": "192.0.2.99", "port": 70000},
            "health_check": {
                "type": "HTTP_GET",
                "url": [
                    {"path": "health"},
                    {"path": "/a b"},
                    {"path": "/x", "digest": "zz"},
                    {"path": "/y", "status_code": 700},
                    {"path": "/z", "digest": "ABCDEF0123456789ABCDEF0123456789"},
                    {"path": "/w", "status_code": "204"},
                    "nope",
                ],
                "bindto": "nope",
                "connect_port": 0,
                "enable_sni": True,
                "retry": -1,
                "connect_timeout": 0,
                "warmup": "x",
                "virtualhost": 'a"b',
                "delay_before_retry": "1.5",
            },
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "ssl",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.51",
            "port": 443,
            "sorry_server": "192.0.2.98",
            "health_check": {
                "type": "ssl_get",
                "url": "/x",
                "enable_sni": "maybe",
                "digest": "ab",
                "connect_port": "8443",
                "bindto": "192.0.2.2",
                "delay_loop": 4,
            },
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "ssl2",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.52",
            "port": 443,
            "health_check": {
                "type": "SSL_GET",
                "url": {"path": "/ok", "digest": "0123456789abcdef0123456789abcdef"},
                "enable_sni": "yes",
                "path": "/ignored",
                "status_code": 201,
                "digest": "x",
                "delay_loop": "x",
            },
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "ssl3",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.53",
            "port": 443,
            "health_check": {"type": "SSL_GET", "url": []},
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "http2",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.54",
            "port": 80,
            "health_check": {"type": "HTTP_GET", "path": "/p", "digest": "0123456789abcdef0123456789abcdef"},
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "misc",
            "vrrp_instance": "VI_INSIDE",
            "vip": "203.0.113.20",
            "port": 7000,
            "method": "nat",
            "health_check": {"type": "MISC_CHECK", "misc_dynamic": "x", "user": 'a"b', "misc_timeout": -2, "connect_timeout": 1},
            "backends": [{"group": "pool_app"}],
        },
        {
            "name": "misc2",
            "vrrp_instance": "VI_INSIDE",
            "vip": "203.0.113.20",
            "port": 7001,
            "method": "nat",
            "health_check": {"type": "MISC_CHECK", "misc_path": "/bin/true", "misc_dynamic": "on", "user": "nobody", "delay_loop": 9},
            "delay_loop": "4",
            "backends": [{"group": "pool_app", "weight": "5"}],
        },
        {"name": "ping", "vrrp_instance": "VI_WEB", "vip": "203.0.113.55", "port": 80, "health_check": {"type": "PING"}, "backends": [{"group": "pool_web"}]},
        {
            "name": "typeless",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.56",
            "port": 80,
            "health_check": {"type": 5, "retry": 1},
            "backends": [{"group": "pool_web"}],
        },
        {
            "name": "tcp_opts",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.57",
            "port": 80,
            "health_check": {"connect_port": "x", "bindto": 7, "misc_path": "/bin/true"},
            "backends": [{"group": "pool_web"}],
            "delay_loop": "x",
        },
        {"name": "no_backends", "vrrp_instance": "VI_WEB", "vip": "203.0.113.58", "port": 80, "backends": "pool_web"},
        {
            "name": "sctp",
            "vrrp_instance": "VI_WEB",
            "vip": "203.0.113.59",
            "port": "80",
            "protocol": "sctp",
            "scheduler": "WLC",
            "backends": [{"group": "pool_web", "port": "8080", "weight": 0}],
        },
    ]
    declare(hostvars, services=services)


def _hosts(hostvars, groups):
    hostvars["lb1"]["ansible_facts"] = facts("eth0", "192.0.2.2")
    hostvars["lb2"]["ansible_facts"] = {"eth0": {"ipv6": [{"address": "fe80::1", "prefix": "64", "scope": "link"}]}}
    hostvars["lb2"]["director_vrrp_priority"] = {"VI_WEB": 150, "VI_INSIDE": 300}
    hostvars["web1"]["lvs_backend_weight"] = "heavy"
    hostvars["web1"]["ansible_host"] = "10.0.0.21"
    hostvars["web2"]["lvs_backend_weights"] = [1]
    hostvars["web3"]["ansible_host"] = "web3.example"
    hostvars["app1"]["lvs_backend_weights"] = {"nope": 1, "api": 70000, "api_grpc": "7"}
    hostvars["app1"]["lvs_backend_address"] = "198.51.100.1"
    hostvars["app2"]["ansible_host"] = "2001:db8::32"
    hostvars["app3"]["ansible_host"] = "198.51.100.31"
    hostvars["web2"]["lvs_backend_address"] = "192.0.2.2"
    hostvars["lb1"]["director_vrrp_address"] = "203.0.113.20"
    groups["pool_web"] = groups["pool_web"] + ["lb1"]
    services = hostvars["lb1"]["lvs_services"] + [
        {"name": "gone", "vrrp_instance": "VI_WEB", "vip": "203.0.113.60", "port": 80, "backends": [{"group": "pool_gone"}, {"group": "pool_empty"}]},
        {"name": "two_instances", "vrrp_instance": "VI_INSIDE", "vip": "203.0.113.10", "port": 8443, "method": "nat", "backends": [{"group": "pool_app"}]},
        {"name": "gw", "vrrp_instance": "VI_WEB", "vip": "198.51.100.1", "port": 80, "backends": [{"group": "pool_web"}]},
        {"name": "nat_web", "vrrp_instance": "VI_WEB", "vip": "203.0.113.61", "port": 80, "method": "nat", "backends": [{"group": "pool_web"}]},
        {"name": "tun6", "vrrp_instance": "VI_WEB", "vip": "2001:db8::10", "port": 80, "method": "tun", "backends": [{"group": "pool_web"}]},
        {"name": "dr6", "vrrp_instance": "VI_WEB", "vip": "2001:db8::11", "port": 80, "backends": [{"group": "pool_app"}]},
    ]
    instances = hostvars["lb1"]["lvs_vrrp_instances"] + [
        {"name": "VI_SAME", "group": "directors", "interface": "eth0", "virtual_router_id": 51},
        {"name": "VI_GONE", "group": "nogroup", "interface": "eth0", "virtual_router_id": 70},
        {"name": "VI_EMPTY", "group": "pool_empty", "interface": "eth0", "virtual_router_id": 71},
        {"name": "VI_NOGROUP", "interface": "eth0", "virtual_router_id": 72},
    ]
    groups["pool_empty"] = []
    declare(hostvars, instances=instances, services=services)
    hostvars["app2"]["lvs_services"] = []
    hostvars["web3"]["lvs_vrrp_instances"] = instances[:1]


def _states(variant):
    def apply(hostvars, groups):
        if variant not in ("not_preempting", "not_preempting_master"):
            # The state rules of an instance that preempts (without, nopreempt is the default and every member starts BACKUP).
            for host in hostvars:
                for inst in hostvars[host].get("lvs_vrrp_instances") or []:
                    inst["nopreempt"] = False
                    inst.pop("preempt_delay", None)
        if variant == "two_masters":
            hostvars["lb1"]["director_vrrp_state"] = "master"
            hostvars["lb2"]["director_vrrp_state"] = {"VI_WEB": "MASTER", "VI_INSIDE": "MASTER"}
        elif variant == "no_master":
            hostvars["lb1"]["director_vrrp_state"] = "BACKUP"
            hostvars["lb2"]["director_vrrp_state"] = "BACKUP"
        elif variant == "master_lower":
            hostvars["lb1"]["director_vrrp_state"] = {"VI_WEB": "BACKUP", "VI_INSIDE": "MASTER"}
            hostvars["lb2"]["director_vrrp_state"] = {"VI_WEB": "MASTER", "VI_INSIDE": "BACKUP"}
        elif variant in ("not_preempting", "not_preempting_master"):
            for host in hostvars:
                for inst in hostvars[host].get("lvs_vrrp_instances") or []:
                    if inst["name"] == "VI_WEB":
                        inst["nopreempt"] = True
                    else:
                        inst["preempt_delay"] = 30
            if variant == "not_preempting_master":
                hostvars["lb1"]["director_vrrp_state"] = {"VI_WEB": "MASTER"}
                hostvars["lb2"]["director_vrrp_state"] = "master"
        elif variant == "bad_state_and_priority":
            hostvars["lb1"]["director_vrrp_state"] = "primary"
            hostvars["lb2"]["director_vrrp_priority"] = "high"
        elif variant == "single_director_and_order":
            groups["directors"] = ["lb1"]
            for host in ("lb1", "lb2"):
                hostvars[host].pop("director_vrrp_priority", None)
        elif variant == "order_priorities":
            many = ["lb%d" % n for n in range(1, 15)]
            for host in many:
                hostvars.setdefault(host, copy.deepcopy(hostvars["lb1"]))
                hostvars[host].pop("director_vrrp_priority", None)
                hostvars[host]["ansible_host"] = "192.0.2.%d" % (100 + int(host[2:]))
            groups["directors"] = many
            groups["all"] = list(dict.fromkeys(groups["all"] + many))

    return apply


def _not_lists(hostvars, groups):
    declare(hostvars, instances={"name": "VI_1"}, services="web")


def _none(hostvars, groups):
    for hv in hostvars.values():
        hv.pop("lvs_vrrp_instances", None)
        hv.pop("lvs_services", None)


def _lab_facts(hostvars, groups):
    hostvars["dir1"]["ansible_facts"] = {
        "interfaces": ["lo", "vec1"],
        "vec1": {
            "ipv4": {"address": "192.0.2.11", "netmask": "255.255.255.0"},
            "ipv4_secondaries": [{"address": "192.0.2.100", "netmask": "255.255.255.255"}],
            "ipv6": [{"address": "2001:db8:1::11", "prefix": "64", "scope": "global"}],
        },
    }
    hostvars["dir2"]["ansible_facts"] = {"interfaces": ["vec1"], "vec1": {"ipv4": {"address": "198.51.100.12", "netmask": "255.255.255.0"}}}
    hostvars["rs2"]["lvs_backend_weights"] = {"web": 0, "blue": "50"}
    hostvars["rs3"]["lvs_backend_weight"] = 20


def _example_facts(hostvars, groups):
    hostvars["lb1"]["ansible_facts"] = facts("eth0", "192.0.2.2")
    hostvars["lb2"]["ansible_facts"] = facts("eth0", "192.0.2.3")
    hostvars["lb2"]["director_vrrp_address"] = "192.0.2.3"


CASES = {
    "example": ("example", None),
    "example_facts": ("example", _example_facts),
    "lab": ("lab", None),
    "lab_facts": ("lab", _lab_facts),
    "vrrp_fields": ("example", _vrrp_fields),
    "service_fields": ("example", _service_fields),
    "hosts": ("example", _hosts),
    "two_masters": ("example", _states("two_masters")),
    "no_master": ("example", _states("no_master")),
    "master_lower": ("example", _states("master_lower")),
    "not_preempting": ("example", _states("not_preempting")),
    "not_preempting_master": ("example", _states("not_preempting_master")),
    "bad_state_and_priority": ("example", _states("bad_state_and_priority")),
    "single_director_and_order": ("example", _states("single_director_and_order")),
    "order_priorities": ("example", _states("order_priorities")),
    "not_lists": ("example", _not_lists),
    "none": ("example", _none),
}

_LOADED = {}


def inventory(name):
    if name not in _LOADED:
        _LOADED[name] = load(name)
    return copy.deepcopy(_LOADED[name])


def _plain(value):
    return json.loads(json.dumps(value))


def _attempt(errors, func, *args):
    """{"result": ...}, or {"error": n}: the ModelError text is errors[n] (one copy of each text)."""
    from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import ModelError

    try:
        return {"result": func(*args)}
    except ModelError as exc:
        text = str(exc)
        if text not in errors:
            errors.append(text)
        return {"error": errors.index(text)}


def snapshot(case):
    """Everything the model, the validation and the derivations say about one case, as plain data."""
    from ansible_collections.lvs.cluster.plugins.module_utils.cluster import derive
    from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import normalise
    from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster

    source, mutate = CASES[case]
    hostvars, groups = inventory(source)
    if mutate:
        mutate(hostvars, groups)
    first = groups["all"][0]
    instances = hostvars[first].get("lvs_vrrp_instances")
    services = hostvars[first].get("lvs_services")
    norm_instances, norm_services, norm_problems = normalise(copy.deepcopy(instances), copy.deepcopy(services))
    problems, notes = validate_cluster(copy.deepcopy(instances), copy.deepcopy(services), hostvars, groups)
    derived = {}
    errors = []
    for host in groups["all"]:
        mine = hostvars[host]
        names = [g for g, members in groups.items() if host in members and g != "all"]
        derived[host] = {
            "director_keepalived": _attempt(
                errors, derive.director_keepalived, mine.get("lvs_vrrp_instances"), mine.get("lvs_services"), hostvars, groups, host
            ),
            "realserver_vips": {m: _attempt(errors, derive.realserver_vips, mine.get("lvs_services"), names, m) for m in ("dr", "nat", "tun", "tunnel")},
            "realserver_nat_gateways": _attempt(errors, derive.realserver_nat_gateways, mine.get("lvs_services"), mine.get("lvs_vrrp_instances"), names),
        }
    return _plain(
        {
            "normalise": {"instances": norm_instances, "services": norm_services, "problems": [str(p) for p in norm_problems]},
            "validate": {"problems": [p.as_dict() for p in problems], "notes": notes},
            "derive": derived,
            "derive_errors": errors,
        }
    )


def recorded():
    with open(FIXTURE, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.mark.parametrize("case", sorted(CASES))
def test_characterisation(case):
    expected = recorded()[case]
    actual = snapshot(case)
    # Same keys in the same order, same values and types (1 is not 1.0, True is not 1).
    assert json.dumps(actual, indent=1) == json.dumps(expected, indent=1)


def test_every_case_is_recorded():
    assert sorted(recorded()) == sorted(CASES)


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    sys.path.insert(0, os.path.join(REPO, "tests", "unit"))
    import conftest  # noqa: F401  pylint: disable=unused-import,wrong-import-position  # the collection namespace

    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w", encoding="utf-8") as fh:
        json.dump({case: snapshot(case) for case in sorted(CASES)}, fh, indent=1, sort_keys=False)
        fh.write("\n")
