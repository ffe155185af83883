# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-host validation: every problem at once, each naming the variable, the host and the fix."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster

INSTANCES = [{"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51, "unicast_peers": True}]
# An instance that preempts: the top priority starts MASTER (nopreempt is the default otherwise).
PREEMPTING = [dict(INSTANCES[0], nopreempt=False)]
SERVICES = [
    {
        "name": "web",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.10",
        "port": 80,
        "scheduler": "rr",
        "method": "dr",
        "backends": [{"group": "pool_blue"}, {"group": "pool_green"}],
    }
]


def facts(address, prefix_mask="255.255.255.0"):
    return {"interfaces": ["eth0", "eth1", "lo"], "eth0": {"ipv4": {"address": address, "netmask": prefix_mask}}}


def make(instances=None, services=None, **overrides):
    instances = INSTANCES if instances is None else instances
    services = SERVICES if services is None else services
    hostvars = {
        "dir1": {"ansible_host": "192.0.2.11", "ansible_facts": facts("192.0.2.11")},
        "dir2": {"ansible_host": "192.0.2.12", "ansible_facts": facts("192.0.2.12")},
        "rs1": {"ansible_host": "192.0.2.21"},
        "rs2": {"ansible_host": "192.0.2.22"},
        "rs3": {"ansible_host": "192.0.2.23"},
        "rs4": {"ansible_host": "192.0.2.24"},
    }
    for host, extra in overrides.items():
        hostvars[host].update(extra)
    for hv in hostvars.values():
        hv.setdefault("lvs_vrrp_instances", copy.deepcopy(instances))
        hv.setdefault("lvs_services", copy.deepcopy(services))
    groups = {"all": list(hostvars), "directors": ["dir1", "dir2"], "pool_blue": ["rs1", "rs2"], "pool_green": ["rs3", "rs4"]}
    return instances, services, hostvars, groups


def run(*args, **kwargs):
    instances, services, hostvars, groups = make(*args, **kwargs)
    problems, notes = validate_cluster(instances, services, hostvars, groups)
    return [str(p) for p in problems], notes


def test_valid_cluster_has_no_problem():
    problems, notes = run()
    assert problems == []
    assert notes == ["VIPs and nat_gateways not compared with the addresses of rs1, rs2, rs3, rs4: no network facts"]
    problems, notes = run(**{host: {"ansible_facts": {"interfaces": ["lo"]}} for host in ("rs1", "rs2", "rs3", "rs4")})
    assert problems == [] and notes == []


def test_vip_is_the_primary_address_of_a_host_per_facts():
    # The inventory calls rs2 by a name; its facts show it really has the VIP.
    rs2_facts = {"interfaces": ["lo", "ens3"], "ens3": {"ipv4": {"address": "203.0.113.10", "netmask": "255.255.255.0"}}}
    problems, _unused = run(rs2={"ansible_facts": rs2_facts})
    assert (
        "lvs_services (web).vip (host rs2): 203.0.113.10 is the address of interface ens3 of host rs2 (per its facts): a floating "
        "address must be free. Fix: use an address no host has, or remove it from rs2" in problems
    )


def test_nat_gateway_outside_the_directors_inside_network():
    instances = [dict(INSTANCES[0], nat_gateway="198.51.100.1/24", nat_interface="eth1")]
    inside = {"interfaces": ["eth0", "eth1", "lo"], "eth0": facts("192.0.2.11")["eth0"], "eth1": {"ipv4": {"address": "10.0.0.11", "netmask": "255.255.255.0"}}}
    problems, _unused = run(instances=instances, dir1={"ansible_facts": inside})
    assert [p for p in problems if "nat_gateway" in p] == [
        "lvs_vrrp_instances (VI_1).nat_gateway (host dir1): 198.51.100.1 is not in a network of eth1 on director dir1 (10.0.0.0/24): "
        "the director could not take the real servers' replies on it. Fix: use a free address of the inside network eth1 is on, "
        "or fix nat_interface"
    ]


def test_two_masters():
    problems, _unused = run(instances=PREEMPTING, dir1={"director_vrrp_state": "MASTER"}, dir2={"director_vrrp_state": "MASTER"})
    assert "lvs_vrrp_instances (VI_1).group: has 2 MASTERs (dir1, dir2)" in problems[0]
    assert "Fix: set director_vrrp_state: MASTER on one host of directors" in problems[0]


def test_every_director_backup_is_valid():
    # keepalived 2.2.7 accepts every member BACKUP (rc 0): VRRP elects the highest priority.
    problems, _unused = run(dir1={"director_vrrp_state": "BACKUP"}, dir2={"director_vrrp_state": "BACKUP"})
    assert problems == []


@pytest.mark.parametrize("option", [{"nopreempt": True}, {"preempt_delay": 30}])
def test_not_preempting_instance_deploys_all_backup(option):
    problems, _unused = run(instances=[dict(INSTANCES[0], **option)])
    assert problems == []


# keepalived 2.2.7, state MASTER with nopreempt: rc 5, "(VI_1) Warning - nopreempt will not work with
# initial state MASTER - clearing"; with preempt_delay 10: "preempt delay will not work with initial state MASTER".
@pytest.mark.parametrize(
    "option, said",
    [
        ({}, "nopreempt (the default without preempt_delay)"),
        ({"nopreempt": True}, "nopreempt (the default without preempt_delay)"),
        ({"preempt_delay": 30}, "preempt_delay 30"),
    ],
)
def test_explicit_master_on_not_preempting_instance(option, said):
    problems, _unused = run(instances=[dict(INSTANCES[0], **option)], dir1={"director_vrrp_state": {"VI_1": "MASTER"}})
    assert problems == [
        "director_vrrp_state (host dir1): is MASTER for VI_1, which has %s: keepalived's config test refuses "
        "state MASTER with nopreempt or preempt_delay (every member must start BACKUP; the priorities elect the MASTER). "
        "Fix: remove director_vrrp_state for VI_1 (or set it to BACKUP) and give the director that should be MASTER "
        "the highest director_vrrp_priority; or set nopreempt: false on VI_1 for an instance that preempts" % said
    ]


def test_preempt_delay_0_still_preempts():
    # keepalived 2.2.7 accepts state MASTER with preempt_delay 0 (rc 0): no delay.
    problems, _unused = run(instances=[dict(INSTANCES[0], preempt_delay=0)], dir1={"director_vrrp_state": "MASTER"})
    assert problems == []


def test_equal_priorities_name_the_host():
    problems, _unused = run(instances=PREEMPTING, dir1={"director_vrrp_priority": 100}, dir2={"director_vrrp_priority": 100})
    assert any(p.startswith("director_vrrp_priority (host dir2): priority 100 for VI_1 equals that of dir1") for p in problems)
    # Two hosts with the top priority are also two MASTERs.
    assert any("has 2 MASTERs" in p for p in problems)


def test_explicit_master_with_lower_priority():
    problems, _unused = run(
        instances=PREEMPTING,
        dir1={"director_vrrp_state": "MASTER", "director_vrrp_priority": 90},
        dir2={"director_vrrp_state": "BACKUP", "director_vrrp_priority": 120},
    )
    assert problems == [
        "director_vrrp_state (host dir1): is MASTER for VI_1 but dir2 has a higher priority and will take the VIP. "
        "Fix: give the MASTER the highest director_vrrp_priority"
    ]


def test_priority_out_of_range():
    problems, _unused = run(dir2={"director_vrrp_priority": 255})
    assert any(p.startswith("director_vrrp_priority (host dir2): priority for VI_1 must be an integer 1-254, got 255") for p in problems)


def test_virtual_router_id_twice_on_a_segment():
    instances = INSTANCES + [dict(INSTANCES[0], name="VI_2")]
    problems, _unused = run(instances=instances)
    assert any(p.startswith("lvs_vrrp_instances (VI_2).virtual_router_id: 51 is already used by VI_1 on segment eth0") for p in problems)
    # Another segment may reuse the id: on another interface of the directors.
    problems, _unused = run(
        instances=INSTANCES + [dict(INSTANCES[0], name="VI_2", interface="eth1")],
        services=SERVICES + [dict(SERVICES[0], name="web2", vrrp_instance="VI_2", vip="203.0.113.11")],
    )
    assert not any("virtual_router_id" in p for p in problems)


# keepalived 2.2.7, two instances with VRID 51 on eth0 (IPv4): rc 5, "VI_1 and VI_2 both use VRID 51 with IPv4 on
# interface eth0", whatever the inventory's segment says; an IPv4 and an IPv6 instance may share it (rc 0).
def test_virtual_router_id_twice_on_one_interface_of_a_director():
    services = SERVICES + [dict(SERVICES[0], name="web2", vrrp_instance="VI_2", vip="203.0.113.11")]
    problems, _unused = run(instances=INSTANCES + [dict(INSTANCES[0], name="VI_2", segment="backnet")], services=services)
    assert [p for p in problems if "virtual_router_id" in p] == [
        "lvs_vrrp_instances (VI_2).virtual_router_id: 51 is also used by VI_1 on interface eth0 of director dir1, dir2 (IPv4); their "
        "segments differ (eth0, backnet) but both run on that one link, and keepalived's config test refuses the pair. Fix: pick "
        "another virtual_router_id, or fix segment: instances on one interface of a director share its segment"
    ]
    # keepalived keeps unicast and multicast instances in separate VRID spaces (rc 0 for one of each).
    problems, _unused = run(instances=INSTANCES + [dict(INSTANCES[0], name="VI_2", segment="backnet", unicast_peers=False)], services=services)
    assert not any("virtual_router_id" in p for p in problems)
    six = [dict(SERVICES[0], name="web6", vrrp_instance="VI_2", vip="2001:db8::10", backends=[{"group": "pool_v6"}])]
    instances = [dict(INSTANCES[0], unicast_peers=False), dict(INSTANCES[0], name="VI_2", unicast_peers=False)]
    instances_, _services, hostvars, groups = make(instances=instances, services=SERVICES + six)
    hostvars["rs6"] = {"ansible_host": "2001:db8::21", "lvs_vrrp_instances": instances, "lvs_services": SERVICES + six}
    groups["pool_v6"], groups["all"] = ["rs6"], groups["all"] + ["rs6"]
    problems, _unused = validate_cluster(instances, SERVICES + six, hostvars, groups)
    assert not any("virtual_router_id" in str(p) for p in problems)


def test_vip_is_a_host_address():
    problems, _unused = run(rs2={"ansible_host": "203.0.113.10"})
    assert any(p.startswith("lvs_services (web).vip (host rs2): 203.0.113.10 is also the address of host rs2 (ansible_host)") for p in problems)


def test_backend_group_missing_and_empty():
    services = [dict(SERVICES[0], backends=[{"group": "pool_gone"}, {"group": "pool_blue"}])]
    problems, _unused = run(services=services)
    assert any(p.startswith("lvs_services (web).backends[0].group: inventory group pool_gone does not exist") for p in problems)
    instances, services, hostvars, groups = make()
    groups["pool_green"] = []
    problems, _unused = validate_cluster(instances, services, hostvars, groups)
    assert [str(p) for p in problems] == [
        "lvs_services (web).backends[1].group: inventory group pool_green has no hosts. Fix: add real servers to it or remove the backend"
    ]


def test_dr_backend_off_segment_and_notes_without_facts():
    problems, _unused = run(rs4={"ansible_host": "198.51.100.24"})
    assert any(
        p.startswith("lvs_services (web).backends[1].group (host rs4): DR real server rs4 (198.51.100.24) is not on director dir1's segment eth0")
        for p in problems
    )
    instances, services, hostvars, groups = make()
    del hostvars["dir1"]["ansible_facts"]
    problems, notes = validate_cluster(instances, services, hostvars, groups)
    assert problems == []
    assert any("DR segment of rs1 not checked: no network facts of director dir1" in n for n in notes)


def test_weights_out_of_range_and_unknown_service():
    problems, _unused = run(rs1={"lvs_backend_weight": 70000}, rs2={"lvs_backend_weights": {"wbe": 3, "web": -1}})
    assert "lvs_backend_weight (host rs1): must be an integer 0-65535, got 70000. Fix: set a weight 0 (drain) to 65535" in problems
    assert any(p.startswith("lvs_backend_weights (host rs2): names unknown service 'wbe'. Fix: use one of: web") for p in problems)
    assert any(p.startswith("lvs_backend_weights (host rs2): weight for web must be an integer 0-65535, got -1") for p in problems)


def test_unknown_scheduler_and_check_type_reported_with_the_rest():
    services = [dict(SERVICES[0], scheduler="fastest", health_check={"type": "PING"})]
    problems, _unused = run(services=services, dir2={"director_vrrp_priority": 150})
    assert any("scheduler: unknown scheduler 'fastest'" in p for p in problems)
    assert any("health_check.type: unknown health check type 'PING'" in p for p in problems)
    assert any("equals that of dir1" in p for p in problems)


def test_nat_without_route_back():
    instances = [dict(INSTANCES[0], nat_gateway="198.51.100.1/24", nat_interface="eth1")]
    services = [dict(SERVICES[0], method="nat", backends=[{"group": "pool_blue"}])]
    problems, _unused = run(instances=instances, services=services, rs1={"ansible_host": "198.51.100.21"})
    assert problems == [
        "lvs_services (web).backends[0].group (host rs2): NAT real server rs2 (192.0.2.22) is outside 198.51.100.0/24, the network of "
        "nat_gateway 198.51.100.1 of VI_1: its replies have no route back through the directors. "
        "Fix: put the real server in 198.51.100.0/24 or change nat_gateway"
    ]
    problems, _unused = run(services=services)
    assert any(p.startswith("lvs_vrrp_instances (VI_1).nat_gateway: is not set but NAT service web needs a route back") for p in problems)


def test_declaration_must_be_the_same_on_every_host():
    instances, services, hostvars, groups = make()
    hostvars["rs3"]["lvs_services"] = []
    problems, _unused = validate_cluster(instances, services, hostvars, groups)
    assert [str(p) for p in problems] == [
        "lvs_services (host rs3): differs from the declaration the preflight checked (it must be the same on every host). "
        "Fix: define lvs_services once, in group_vars/all, and not per group or host"
    ]


def test_director_as_dr_backend_and_duplicate_real_server():
    problems, _unused = run(rs4={"ansible_host": "192.0.2.23"})
    assert any("real server 192.0.2.23 port 80 appears twice (hosts rs3 and rs4)" in p for p in problems)
    instances, services, hostvars, groups = make()
    groups["pool_green"] = ["dir2", "rs4"]
    problems, _unused = validate_cluster(instances, services, hostvars, groups)
    assert any("host dir2 is both a director of VI_1 and a DR real server of web" in str(p) for p in problems)


# keepalived 2.2.7, interface eth7 missing: rc 5, "WARNING - interface eth7 for vrrp_instance VI_1 doesn't exist"
# (found by the differential test, tests/integration/host/test_keepalived_differential.py).
@pytest.mark.parametrize(
    "keys, variable",
    [
        ({"interface": "eth7"}, "interface"),
        ({"track_interfaces": ["eth7"]}, "track_interfaces"),
        ({"nat_gateway": "198.51.100.1/24", "nat_interface": "eth7"}, "nat_interface"),
    ],
)
def test_interface_missing_on_a_director(keys, variable):
    instances = [dict(INSTANCES[0], **keys)]
    problems, _unused = run(
        instances=instances,
        dir1={"ansible_facts": dict(facts("192.0.2.11"), interfaces=["eth0", "lo"])},
        dir2={"ansible_facts": dict(facts("192.0.2.12"), interfaces=["eth0", "lo"])},
    )
    missing = [p for p in problems if "does not exist on director" in p]
    assert missing[:1] == [
        "lvs_vrrp_instances (VI_1).%s (host dir1): interface eth7 does not exist on director dir1 (it has: eth0, lo); "
        "keepalived's config test refuses it. Fix: name an interface the director has, or create eth7 on it first" % variable
    ]
    assert len(missing) == 2  # dir1 and dir2


def test_interfaces_not_checked_without_facts():
    problems, notes = run(dir1={"ansible_facts": {}})
    assert problems == []
    assert notes == [
        "lvs_vrrp_instances (VI_1): interfaces eth0 not checked on director dir1: no network facts (the preflight play gathers them)",
        "VIPs and nat_gateways not compared with the addresses of dir1, rs1, rs2, rs3, rs4: no network facts",
        "lvs_services (web): DR segment of rs1 not checked: no network facts of director dir1 (gather facts first)",
        "lvs_services (web): DR segment of rs2 not checked: no network facts of director dir1 (gather facts first)",
        "lvs_services (web): DR segment of rs3 not checked: no network facts of director dir1 (gather facts first)",
        "lvs_services (web): DR segment of rs4 not checked: no network facts of director dir1 (gather facts first)",
    ]


@pytest.mark.parametrize("var, value", [("director_vrrp_priority", {"VI_1": 150, "VI_WBE": 120}), ("director_vrrp_state", {"VI_WBE": "MASTER"})])
def test_per_instance_map_naming_an_unknown_instance(var, value):
    problems, _unused = run(dir1={var: value})
    assert problems == [
        "%s (host dir1): names 'VI_WBE', which is not a VRRP instance of this host (its instances: VI_1); the entry would "
        "be ignored. Fix: use the name of one of the host's instances, or remove the entry" % var
    ]


def test_vip_of_a_host_reported_once():
    # rs2's inventory address is the VIP, and its facts say so too: one problem, not two.
    rs2_facts = {"interfaces": ["lo", "eth0"], "eth0": {"ipv4": {"address": "203.0.113.10", "netmask": "255.255.255.0"}}}
    problems, _unused = run(rs2={"ansible_host": "203.0.113.10", "ansible_facts": rs2_facts})
    assert [p for p in problems if "203.0.113.10 is" in p] == [
        "lvs_services (web).vip (host rs2): 203.0.113.10 is also the address of host rs2 (ansible_host). Fix: use a VIP no host has as its own address"
    ]


def test_director_vrrp_address_is_the_directors_own():
    # keepalived 2.2.7 accepts a unicast_src_ip the host does not have (rc 0); VRRP cannot send from it.
    problems, notes = run(dir1={"director_vrrp_address": "192.0.2.111"})
    assert problems == [
        "director_vrrp_address (host dir1): 192.0.2.111 is not an address of eth0 on dir1 (per its facts: 192.0.2.11); "
        "unicast VRRP of VI_1 would send from an address the director does not have. Fix: set director_vrrp_address "
        "to the director's own address on eth0"
    ]
    problems, _unused = run(dir1={"director_vrrp_address": "192.0.2.11"})
    assert problems == []
    problems, notes = run(dir1={"director_vrrp_address": "192.0.2.11", "ansible_facts": {}})
    assert "director_vrrp_address of dir1 not compared with its addresses: no network facts" in notes


def test_lvs_backend_address_is_the_hosts_own():
    rs1_facts = {"interfaces": ["lo", "eth0"], "eth0": {"ipv4": {"address": "192.0.2.21", "netmask": "255.255.255.0"}}}
    problems, _unused = run(rs1={"lvs_backend_address": "192.0.2.31", "ansible_facts": rs1_facts})
    assert (
        "lvs_backend_address (host rs1): 192.0.2.31 is not an address of rs1 (per its facts: 192.0.2.21); the directors would "
        "send its share of the traffic elsewhere. Fix: set lvs_backend_address to one of the host's own addresses" in problems
    )
    problems, _unused = run(rs1={"lvs_backend_address": "192.0.2.21", "ansible_facts": rs1_facts})
    assert not any("lvs_backend_address" in p for p in problems)


def test_a_tun_real_server_carries_the_vip_on_tunl0_by_design():
    # As the tun scenario's facts show it after a rollout: tunl0's only (so primary) address is the VIP.
    tunl0 = {
        "interfaces": ["lo", "eth0", "tunl0"],
        "eth0": {"ipv4": {"address": "192.0.2.21", "netmask": "255.255.255.0"}},
        "tunl0": {"ipv4": {"address": "203.0.113.10", "netmask": "255.255.255.255"}},
    }
    tun = [dict(SERVICES[0], method="tun")]
    problems, _unused = run(services=tun, rs1={"ansible_facts": tunl0})
    assert not [p for p in problems if "per its facts" in p]
    # The same address on tunl0 of a host that is no real server of the service is refused.
    problems, _unused = run(services=tun, dir1={"ansible_facts": dict(tunl0, eth0=facts("192.0.2.11")["eth0"])})
    assert [p for p in problems if "per its facts" in p] == [
        "lvs_services (web).vip (host dir1): 203.0.113.10 is the address of interface tunl0 of host dir1 (per its facts): a floating "
        "address must be free. Fix: use an address no host has, or remove it from dir1"
    ]


def test_active_active_without_preemption_is_noted():
    # VI_1 on dir1 and VI_2 on dir2, neither preempting: the first director started keeps both.
    second = dict(INSTANCES[0], name="VI_2", virtual_router_id=52)
    services = SERVICES + [dict(SERVICES[0], name="web2", vrrp_instance="VI_2", vip="203.0.113.11")]
    per_instance = {"dir1": {"director_vrrp_priority": {"VI_1": 150, "VI_2": 100}}, "dir2": {"director_vrrp_priority": {"VI_1": 100, "VI_2": 150}}}
    problems, notes = run(instances=[INSTANCES[0], second], services=services, **per_instance)
    assert problems == []
    assert (
        "instances VI_1, VI_2 of group directors do not preempt (nopreempt) and have different highest priorities (VI_1 on dir1, "
        "VI_2 on dir2): on a new cluster the first director to start holds all of them and keeps them; set preempt_delay (e.g. 60) "
        "on the instances the other directors should take over"
    ) in notes
    # preempt_delay on VI_2: dir2 takes it over once up that long; nothing to note.
    problems, notes = run(instances=[INSTANCES[0], dict(second, preempt_delay=60)], services=services, **per_instance)
    assert problems == [] and not [n for n in notes if "do not preempt" in n]


# --- a tracked failure must move the VIP ----------------------------------------------------


def test_tracked_weights_that_move_the_vip_pass():
    # order priorities 150/100: a gap of 50
    inst = dict(PREEMPTING[0], track_interfaces=[{"name": "eth1", "weight": -51}], track_scripts=["chk_app", {"name": "chk_db", "weight": 60}])
    scripts = [{"name": "chk_app", "script": "/usr/bin/true"}, {"name": "chk_db", "script": "/usr/bin/true"}]
    problems, _notes = run([inst], dir1={"director_vrrp_scripts": scripts}, dir2={"director_vrrp_scripts": scripts})
    assert problems == []


def test_tracked_weights_within_the_priority_gap_are_refused():
    inst = dict(PREEMPTING[0], track_interfaces=[{"name": "eth1", "weight": -50}], track_scripts=["chk_app", {"name": "chk_db", "weight": 20}])
    scripts = [{"name": "chk_app", "script": "/usr/bin/true", "weight": -30}]
    problems, _notes = run([inst], dir1={"director_vrrp_scripts": scripts}, dir2={"director_vrrp_scripts": scripts})
    assert problems == [
        "lvs_vrrp_instances (VI_1).track_interfaces: interface eth1 has weight -50: when it fails on dir1 (priority 150), dir1 drops to 100, "
        "not below dir2 (100), so the VIP does not move. Fix: give eth1 a weight below -50 (more than the priority gap), or weight 0 (a "
        "failure puts the director in FAULT and the VIP moves at once)",
        "lvs_vrrp_instances (VI_1).track_scripts: vrrp_script chk_app has its director_vrrp_scripts weight -30: when it fails on dir1 "
        "(priority 150), dir1 drops to 120, not below dir2 (100), so the VIP does not move. Fix: give chk_app a weight below -50 (more "
        "than the priority gap), or weight 0 (a failure puts the director in FAULT and the VIP moves at once)",
        "lvs_vrrp_instances (VI_1).track_scripts: vrrp_script chk_db has weight 20: when it fails on dir1 (priority 150), dir2 (100, 120 "
        "with its own vrrp_script healthy) does not pass it, so the VIP does not move. Fix: give chk_db a weight above 50 (more than the "
        "priority gap), or weight 0 (a failure puts the director in FAULT and the VIP moves at once)",
    ]


def test_tracked_weights_never_move_the_vip_without_preemption():
    # (a reverse entry is not judged)
    inst = dict(INSTANCES[0], track_interfaces=[{"name": "eth1", "weight": -120}], track_scripts=[{"name": "chk", "weight": -120, "reverse": True}])
    problems, _notes = run([inst])
    assert problems == [
        "lvs_vrrp_instances (VI_1).track_interfaces: interface eth1 has weight -120, and VI_1 does not preempt (nopreempt): a BACKUP "
        "never takes the VIP from a MASTER whose priority dropped, so a failure of eth1 never moves the VIP. Fix: give eth1 weight 0 (a "
        "failure puts the director in FAULT and the VIP moves at once), or use preempt_delay instead of nopreempt"
    ]


def test_tracked_process_weights_judged_like_scripts():
    # director_vrrp_processes: the role renders weight 0 (FAULT) unless set; -30 is within the gap of 50.
    inst = dict(PREEMPTING[0], track_processes=["haproxy", {"name": "nginx", "weight": -60}, "sshd"])
    processes = [{"name": "haproxy", "process": "haproxy", "weight": -30}, {"name": "nginx", "process": "nginx"}, {"name": "sshd", "process": "sshd"}]
    problems, _notes = run([inst], dir1={"director_vrrp_processes": processes}, dir2={"director_vrrp_processes": processes})
    assert problems == [
        "lvs_vrrp_instances (VI_1).track_processes: vrrp_track_process haproxy has its director_vrrp_processes weight -30: when it fails "
        "on dir1 (priority 150), dir1 drops to 120, not below dir2 (100), so the VIP does not move. Fix: give haproxy a weight below -50 "
        "(more than the priority gap), or weight 0 (a failure puts the director in FAULT and the VIP moves at once)"
    ]


# keepalived 2.2.7's config test on vrrp_track_process (rc 5 for each): quorum 0 ("must be between [1..65535]"), quorum 2 with
# quorum_max 1 ("quorum_max is less than quorum"), delay -1 or 3601 ("must be between [0.000001..3600]"), weight 255 ("must be
# between [-254..254]"), a double quote in process ("Unmatched quote"). Accepted (rc 0): quorum 1 with quorum_max 0 (the
# process must not run), weight 254, params with param_match partial, delay 0.5, full_command.
def test_vrrp_processes_keepalived_refuses_are_refused_on_the_host():
    processes = [
        {
            "name": "ok",
            "process": "haproxy",
            "params": ["-f", "/etc/haproxy/haproxy.cfg"],
            "param_match": "partial",
            "delay": 0.5,
            "full_command": True,
            "weight": 254,
        },
        {"name": "absent", "process": "telnetd", "quorum_max": 0},
        {"name": "q0", "process": "haproxy", "quorum": 0},
        {"name": "qmax", "process": "haproxy", "quorum": 2, "quorum_max": 1},
        {"name": "slow", "process": "haproxy", "delay": 3601},
        {"name": "heavy", "process": "haproxy", "weight": 255},
        {"name": "quoted", "process": 'ha"proxy', "params": ["a\nb"]},
        {"name": "ok", "process": "nginx"},
        {"process": "nginx", "colour": "red"},
        {"name": "odd", "process": "nginx", "colour": "red", "param_match": "exact"},
    ]
    problems, _notes = run(dir2={"director_vrrp_processes": processes})
    assert problems == [
        "director_vrrp_processes[2] (q0).quorum (host dir2): must be an integer 1-65535 (the fewest processes that count as up), got 0. Fix: set quorum: 1",
        "director_vrrp_processes[3] (qmax).quorum_max (host dir2): 1 is below quorum 2; keepalived's config test refuses it. "
        "Fix: set quorum_max to at least quorum (0: the process must not run), or remove it",
        "director_vrrp_processes[4] (slow).delay (host dir2): must be seconds above 0 and at most 3600, got 3601. Fix: set e.g. delay: 0.5, or remove it",
        "director_vrrp_processes[5] (heavy).weight (host dir2): must be an integer -254..254, got 255. "
        "Fix: set weight: 0 (FAULT while too few processes run) or a priority change, e.g. -60",
        "director_vrrp_processes[6] (quoted).process (host dir2): must be a process name without double quotes or line breaks, got 'ha\"proxy'. "
        "Fix: set process to the name in /proc/PID/comm, e.g. process: haproxy",
        "director_vrrp_processes[6] (quoted).params (host dir2): must be a list of parameters without double quotes or line breaks, got ['a\\nb']. "
        "Fix: write e.g. params: [-f, /etc/haproxy/haproxy.cfg]",
        "director_vrrp_processes[7] (ok).name (host dir2): process ok is defined twice. Fix: define each process once",
        "director_vrrp_processes[8].colour (host dir2): unknown key. "
        "Fix: remove it or use one of: delay, full_command, name, param_match, params, process, quorum, quorum_max, weight",
        "director_vrrp_processes[8].name (host dir2): is required and must match [A-Za-z0-9_.-]+, got None. Fix: set name: haproxy (track_processes use it)",
        "director_vrrp_processes[9] (odd).colour (host dir2): unknown key. "
        "Fix: remove it or use one of: delay, full_command, name, param_match, params, process, quorum, quorum_max, weight",
        "director_vrrp_processes[9] (odd).param_match (host dir2): must be initial or partial, got 'exact'. Fix: set param_match: partial, or remove it",
    ]
