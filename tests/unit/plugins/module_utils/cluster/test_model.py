# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalisation of lvs_vrrp_instances / lvs_services: defaults and every problem at once."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import normalise

VI = {"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51}
WEB = {"name": "web", "vrrp_instance": "VI_1", "vip": "203.0.113.10", "port": 80, "backends": [{"group": "pool_blue"}]}


def texts(problems):
    return [str(p) for p in problems]


def test_defaults():
    (inst,), (svc,), problems = normalise([VI], [WEB])
    assert problems == []
    assert inst["vrrp_version"] == 2 and inst["advert_int"] == 1 and inst["segment"] == "eth0"
    assert inst["auth_pass"] is None and inst["unicast_peers"] is False and inst["nat_gateway"] is None
    assert svc["protocol"] == "tcp" and svc["scheduler"] == "wlc" and svc["method"] == "dr" and svc["lb_kind"] == "DR"
    assert svc["health_check"] == {"type": "TCP_CHECK", "connect_timeout": 3, "retry": 2, "delay_before_retry": 2}
    assert svc["delay_loop"] == 6 and svc["quorum"] == 1 and svc["inhibit_on_failure"] is False
    assert svc["backends"] == [{"group": "pool_blue", "port": 80, "weight": 1, "uthreshold": None, "lthreshold": None, "notify_up": None, "notify_down": None}]
    assert svc["scheduler_flags"] == []


def test_strings_from_inventory_are_accepted():
    vi = dict(VI, virtual_router_id="51", vrrp_version="3", advert_int="0.1", unicast_peers="yes")
    (inst,), _unused, problems = normalise([vi], [])
    assert problems == []
    assert (inst["virtual_router_id"], inst["vrrp_version"], inst["advert_int"], inst["unicast_peers"]) == (51, 3, 0.1, True)


def test_every_vrrp_problem_reported_at_once():
    vi = dict(VI, virtual_router_id=300, advert_int=0.5, auth_pass="123456789", colour="blue")
    _unused, _unused2, problems = normalise([vi, dict(VI)], [])
    out = texts(problems)
    assert any(t.startswith("lvs_vrrp_instances[0] (VI_1).colour: unknown key") for t in out)
    assert any(t.startswith("lvs_vrrp_instances[0] (VI_1).virtual_router_id: must be an integer 1-255, got 300") for t in out)
    assert any("advert_int" in t and "VRRPv2" in t and "Fix: set vrrp_version: 3" in t for t in out)
    assert any("auth_pass: is 9 characters" in t for t in out)
    assert any(t.startswith("lvs_vrrp_instances[1] (VI_1).name: instance VI_1 is declared twice") for t in out)
    assert len(out) == 5


def test_auth_pass_with_vrrp3_and_nat_gateway_needs_interface():
    vi = dict(VI, vrrp_version=3, auth_pass="secret", nat_gateway="198.51.100.1/24")
    (inst,), _unused, problems = normalise([vi], [])
    out = texts(problems)
    assert any("VRRPv3 has no authentication" in t for t in out)
    assert any(t.startswith("lvs_vrrp_instances[0] (VI_1).nat_interface: is required with nat_gateway") for t in out)
    assert inst["nat_gateway"] == {"address": "198.51.100.1", "prefix": 24, "network": "198.51.100.0/24"}


def test_every_service_problem_reported_at_once():
    bad = dict(
        WEB,
        scheduler="fastest",
        method="fullnat",
        health_check={"type": "SMTP_CHECK"},
        backends=[{"group": "pool_blue", "weight": 70000}],
        vrrp_instance="VI_9",
    )
    dup = dict(WEB, name="web2")
    _unused, services, problems = normalise([VI], [bad, dup])
    out = texts(problems)
    assert any("(web).scheduler: unknown scheduler 'fastest'" in t for t in out)
    assert any("(web).method: unknown forwarding method 'fullnat'" in t for t in out)
    assert any("(web).health_check.type: unknown health check type 'SMTP_CHECK'" in t for t in out)
    assert any("(web).backends[0].weight: must be an integer 0-65535, got 70000" in t for t in out)
    assert any("(web).vrrp_instance: 'VI_9' is not a declared VRRP instance. Fix: set vrrp_instance to one of: VI_1" in t for t in out)
    assert any("(web2).vip: tcp 203.0.113.10 80 is also declared by service web" in t for t in out)
    assert len(out) == 6 and len(services) == 2


def test_http_check_and_fwmark():
    svc = dict(WEB, health_check={"type": "http_get", "path": "/health", "connect_timeout": 2, "delay_loop": 3})
    fw = {
        "name": "fw",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.11",
        "protocol": "fwmark",
        "fwmark": 7,
        "persistence_timeout": 600,
        "health_check": {"connect_port": 80},
        "backends": [{"group": "pool_blue", "port": 0}],
    }
    _unused, (web, mark), problems = normalise([VI], [svc, fw])
    assert problems == []
    assert web["health_check"]["type"] == "HTTP_GET" and web["delay_loop"] == 3
    assert web["health_check"]["url"] == [{"path": "/health", "status_code": 200, "digest": None}]
    assert mark["fwmark"] == 7 and mark["port"] is None and mark["backends"][0]["port"] == 0


def test_misc_check_requires_path_and_fwmark_backend_port():
    svc = dict(WEB, health_check={"type": "MISC_CHECK"})
    fw = {"name": "fw", "vrrp_instance": "VI_1", "vip": "203.0.113.11", "fwmark": 7, "backends": [{"group": "pool_blue"}]}
    _unused, _unused2, problems = normalise([VI], [svc, fw])
    out = texts(problems)
    assert any("(web).health_check.misc_path: is required for MISC_CHECK" in t for t in out)
    assert any("(fw).backends[0].port: must be a port" in t for t in out)


def test_sorry_server_and_persistence():
    svc = dict(WEB, method="nat", sorry_server="192.0.2.99 8080", persistence_timeout=300, persistence_netmask="255.255.255.0")
    _unused, (out,), problems = normalise([VI], [svc])
    assert problems == []
    assert out["sorry_server"] == {"address": "192.0.2.99", "port": 8080}
    assert out["persistence_netmask"] == "255.255.255.0"


def test_track_interfaces_must_not_list_the_own_interface():
    (inst,), _unused, problems = normalise([dict(VI, track_interfaces=["eth0", "eth1"])], [])
    assert [str(p) for p in problems] == [
        "lvs_vrrp_instances[0] (VI_1).track_interfaces: lists eth0, the instance's own interface (always tracked; keepalived's config test "
        "rejects it). Fix: remove eth0 from track_interfaces"
    ]
    assert inst["track_interfaces"] == [{"name": "eth1", "weight": None, "reverse": False}]


def test_scheduler_flags_in_ipvsadm_names_and_order():
    # flag-1 is sh's first bit, sh-fallback: canonical names, ipvsadm's order, each once.
    _unused, (out,), problems = normalise([VI], [dict(WEB, scheduler="sh", scheduler_flags=["sh-port", "flag-1", "sh-fallback"])])
    assert problems == [] and out["scheduler_flags"] == ["sh-fallback", "sh-port"]
    _unused, (out,), problems = normalise([VI], [dict(WEB, scheduler="rr", scheduler_flags="flag-2")])
    assert problems == [] and out["scheduler_flags"] == ["flag-2"]


def test_scheduler_flags_the_scheduler_does_not_read_are_refused():
    services = [
        dict(WEB, scheduler="wlc", scheduler_flags=["sh-port"]),  # keepalived's config test refuses it
        dict(WEB, name="mh", vip="203.0.113.12", scheduler="mh", scheduler_flags=["sh-port"]),  # keepalived ignores it, silently
        dict(WEB, name="sh", vip="203.0.113.13", scheduler="sh", scheduler_flags=["flag-3"]),  # a bit sh never reads
        dict(WEB, name="list", vip="203.0.113.14", scheduler_flags=[1]),
    ]
    _unused, out, problems = normalise([VI], services)
    assert texts(problems) == [
        "lvs_services[0] (web).scheduler_flags: sh-port is a flag of the sh scheduler, not of wlc (a flag the scheduler does not read). "
        "Fix: use only flag-1, flag-2, flag-3 with scheduler wlc, or change the scheduler",
        "lvs_services[1] (mh).scheduler_flags: sh-port: the mh scheduler accepts only mh-fallback, mh-port (a flag the scheduler does not "
        "read). Fix: use only mh-fallback, mh-port with scheduler mh, or change the scheduler",
        "lvs_services[2] (sh).scheduler_flags: flag-3: the sh scheduler accepts only sh-fallback, sh-port (a flag the scheduler does not "
        "read). Fix: use only sh-fallback, sh-port with scheduler sh, or change the scheduler",
        "lvs_services[3] (list).scheduler_flags: must be a list of scheduler flags, got [1]. Fix: write e.g. scheduler_flags: [sh-port]",
    ]
    assert [svc["scheduler_flags"] for svc in out] == [[], [], [], []]


def test_backend_thresholds():
    backends = [{"group": "pool_blue", "uthreshold": 1000, "lthreshold": 800}]
    _unused, (out,), problems = normalise([VI], [dict(WEB, backends=backends)])
    assert problems == [] and out["backends"][0]["uthreshold"] == 1000 and out["backends"][0]["lthreshold"] == 800
    backends = [{"group": "pool_blue", "uthreshold": 100, "lthreshold": 101}, {"group": "pool_green", "uthreshold": 65536}]
    _unused, _unused2, problems = normalise([VI], [dict(WEB, backends=backends)])
    assert texts(problems) == [
        "lvs_services[0] (web).backends[0].lthreshold: 101 must not exceed uthreshold (100): the real server would be let back in at once, "
        "so the limit never holds. Fix: set lthreshold at most uthreshold (0: 3/4 of it), or remove lthreshold",
        "lvs_services[0] (web).backends[1].uthreshold: must be an integer 0-65535 (connections; 0: no limit), got 65536. "
        "Fix: set uthreshold to the most connections a real server takes, or remove it",
    ]


def test_tracked_entries_with_weights():
    inst = dict(VI, track_interfaces=["eth1", {"name": "eth2", "weight": "-60", "reverse": True}], track_scripts="chk")
    (out,), _unused, problems = normalise([inst], [])
    assert problems == []
    assert out["track_interfaces"] == [{"name": "eth1", "weight": None, "reverse": False}, {"name": "eth2", "weight": -60, "reverse": True}]
    assert out["track_scripts"] == [{"name": "chk", "weight": None, "reverse": False}]


@pytest.mark.parametrize(
    "entries",
    [
        ["eth1", "eth1"],  # keepalived: "duplicate track_interface eth1 - ignoring", a config error
        [{"name": "eth1", "weight": 254}],  # keepalived: "weight for eth1 cannot be +/-254"
        [{"name": "eth1", "reverse": True}],  # reverse is read only after a weight
        [{"name": "eth1", "colour": "red"}],
        [{"weight": 10}],
    ],
)
def test_tracked_entries_keepalived_refuses(entries):
    _unused, _unused2, problems = normalise([dict(VI, track_interfaces=entries)], [])
    assert texts(problems) == [
        "lvs_vrrp_instances[0] (VI_1).track_interfaces: must be a list of names or {name, weight: -253..253, reverse: true (with a "
        "weight)}, each name once, got %r. Fix: write e.g. track_interfaces: [eth1, {name: eth2, weight: -60}]" % (entries,)
    ]


FW = {
    "name": "fw",
    "vrrp_instance": "VI_1",
    "vip": "203.0.113.10",
    "fwmark": 7,
    "ports": [443, "80"],
    "health_check": {"type": "TCP_CHECK", "connect_port": 80},
    "backends": [{"group": "pool_blue", "port": 0}],
}


def test_fwmark_service_ports_the_director_marks():
    _unused, (out,), problems = normalise([VI], [FW])
    assert problems == [] and out["ports"] == [80, 443] and out["ports_protocol"] == "tcp"
    _unused, (out,), problems = normalise([VI], [dict(FW, ports_protocol="UDP")])
    assert problems == [] and out["ports_protocol"] == "udp"
    _unused, (out,), problems = normalise([VI], [{k: v for k, v in FW.items() if k != "ports"}])
    assert problems == [] and out["ports"] == []  # the operator marks the packets


def test_fwmark_ports_refused():
    services = [
        dict(WEB, ports=[80]),  # not a fwmark service
        dict(FW, name="dup", vip="203.0.113.11", fwmark=8, ports=[80, 80]),
        dict(FW, name="shadow", fwmark=9),  # marks 203.0.113.10 tcp 80, web's endpoint
    ]
    _unused, _unused2, problems = normalise([VI], services)
    assert texts(problems) == [
        "lvs_services[0] (web).ports: is only used with protocol: fwmark (the ports the director marks for the service). "
        "Fix: set fwmark (one mark over several ports) or use port",
        "lvs_services[1] (dup).ports: must be a list of distinct ports 1-65535 (the director marks the VIP's packets to them with the "
        "fwmark), got [80, 80]. Fix: write e.g. ports: [80, 443], or remove ports and mark the packets yourself",
        "lvs_services[2] (shadow).ports: tcp 203.0.113.10 80 is also declared by service web; the director would mark its packets "
        "with 9, so only this service would get them. Fix: merge the two services or mark other ports",
    ]
