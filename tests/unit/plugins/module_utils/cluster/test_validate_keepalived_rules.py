# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-host rules where keepalived 2.2.7 is the judge (issue 10, item 2); see test_keepalived_rules.py."""

from __future__ import annotations

from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.cluster.test_validate import INSTANCES, SERVICES, facts, run


def service(**keys):
    return [dict(SERVICES[0], **keys)]


def quorum_problems(problems):
    return [p for p in problems if ".quorum" in p]


# keepalived 2.2.7, quorum 2, real servers weight 1 and 0: rc 5,
# "Warning - quorum 2 for [203.0.113.10]:tcp:80 exceeds total weight of real servers 1, reducing quorum to 1";
# weights 1 and 0 with quorum 1 are accepted (rc 0).
def test_drain_below_quorum_names_service_hosts_and_fix():
    problems, _unused = run(services=service(quorum=3), rs1={"lvs_backend_weight": 0}, rs2={"lvs_backend_weights": {"web": 0}})
    assert quorum_problems(problems) == [
        "lvs_services (web).quorum: the active real servers of web weigh 2 in total with rs1 (weight 0), rs2 (weight 0) out of service, "
        "below quorum 3; keepalived's config test refuses a quorum above the total weight. "
        "Fix: drain fewer hosts at once (lvs_pool_states / lvs_backend_state, lvs_backend_weight) or lower quorum to at most 2"
    ]


def test_drain_within_quorum_is_fine():
    problems, _unused = run(services=service(quorum=3), rs1={"lvs_backend_weight": 0})
    assert problems == []


# keepalived 2.2.7, quorum 1, both real servers weight 0: rc 5,
# "Warning - quorum 1 for [203.0.113.10]:tcp:80 exceeds total weight of real servers 0, reducing quorum to 0".
def test_draining_every_backend_refused():
    drained = {"lvs_backend_weight": 0}
    problems, _unused = run(rs1=drained, rs2=drained, rs3=drained, rs4={"lvs_backend_weights": {"web": 0}, "lvs_backend_weight": 5})
    assert quorum_problems(problems) == [
        "lvs_services (web).quorum: no real server of web would be in service: rs1 (weight 0), rs2 (weight 0), rs3 (weight 0), "
        "rs4 (weight 0). That is an outage, not a drain: nothing would serve web, and keepalived's config test refuses a quorum "
        "above the total weight (keepalived's quorum is at least 1). "
        "Fix: keep at least one pool of web active (lvs_pool_states / lvs_backend_state, lvs_backend_weight), drain the pools "
        "one at a time, or remove the service"
    ]


# keepalived 2.2.7, quorum 3 over two real servers of weight 1: rc 5, "quorum 3 ... exceeds total weight of real servers 2".
def test_quorum_above_total_weight_without_drain():
    problems, _unused = run(services=service(quorum=5))
    assert quorum_problems(problems) == [
        "lvs_services (web).quorum: 5 is above the total weight 4 of the real servers of web; "
        "keepalived's config test refuses a quorum above the total weight. Fix: lower quorum to at most 4 or add real servers"
    ]


# --- one address family per VRRP instance -------------------------------------------------

V6 = {"name": "web6", "vrrp_instance": "VI_1", "vip": "2001:db8::10", "port": 80, "method": "tun", "backends": [{"group": "pool_blue"}]}
VI6 = [{"name": "VI_6", "group": "directors", "interface": "eth0", "virtual_router_id": 52, "vrrp_version": 3, "unicast_peers": True}]


def family_problems(problems):
    return [p for p in problems if "family" in p or "IPv6" in p or "IPv4" in p]


# keepalived 2.2.7, virtual_ipaddress {203.0.113.10/32 dev eth0; 2001:db8::10/128 dev eth0}: rc 5,
# "(VI_1): address family must match VRRP instance [2001:db8::10/128] - ignoring" (and the same the other way round).
def test_ipv4_and_ipv6_vips_in_one_instance_refused():
    problems, _unused = run(services=SERVICES + [V6])
    assert family_problems(problems) == [
        "lvs_services (web6).vrrp_instance: IPv6 VIP 2001:db8::10 in instance VI_1, which carries the IPv4 VIPs of web; one VRRP "
        "instance carries one address family (keepalived's config test refuses the other). "
        "Fix: use one VRRP instance per address family: declare an IPv6 instance for web6"
    ]


# keepalived 2.2.7, IPv6 VIP with unicast_src_ip 192.0.2.11 / unicast_peer 192.0.2.12: rc 5,
# "(VI_1): address family must match VRRP instance [2001:db8::10/128] - ignoring", "No VIP specified";
# with unicast_src_ip 2001:db8::11 / unicast_peer 2001:db8::12 it is accepted (rc 0).
def test_ipv6_unicast_peers_need_ipv6_director_addresses():
    problems, _unused = run(instances=VI6, services=[dict(V6, vrrp_instance="VI_6")])
    assert family_problems(problems) == [
        "director_vrrp_address (host %s): unicast VRRP of VI_6 uses %s, not an IPv6 address like the instance's VIPs; keepalived's "
        "config test refuses a peer of the other family. Fix: set director_vrrp_address to the director's IPv6 address on eth0 "
        "(the address from facts is IPv4 only)" % (host, address)
        for host, address in (("dir1", "192.0.2.11"), ("dir2", "192.0.2.12"))
    ]
    problems, _unused = run(
        instances=VI6,
        services=[dict(V6, vrrp_instance="VI_6")],
        dir1={"director_vrrp_address": "2001:db8::11", "ansible_facts": with_ipv6("192.0.2.11", "2001:db8::11")},
        dir2={"director_vrrp_address": "2001:db8::12", "ansible_facts": with_ipv6("192.0.2.12", "2001:db8::12")},
    )
    assert problems == []


def with_ipv6(address, address6):
    """The test directors' facts with an IPv6 address on eth0 too (director_vrrp_address is compared with them)."""
    gathered = facts(address)
    gathered["eth0"]["ipv6"] = [{"address": address6, "prefix": "64", "scope": "global"}]
    return gathered


# keepalived 2.2.7, virtual_ipaddress {2001:db8::10/128 dev eth0; 198.51.100.1/24 dev eth0}: rc 5,
# "(VI_1): address family must match VRRP instance [198.51.100.1/24] - ignoring".
def test_ipv6_instance_with_ipv4_nat_gateway_refused():
    inst = [dict(VI6[0], unicast_peers=False, nat_gateway="198.51.100.1/24", nat_interface="eth1")]
    problems, _unused = run(instances=inst, services=[dict(V6, vrrp_instance="VI_6")])
    assert family_problems(problems) == [
        "lvs_vrrp_instances (VI_6).nat_gateway: 198.51.100.1 is IPv4 but the instance's VIPs are IPv6; keepalived's config test "
        "refuses it in the same instance. Fix: give the instance a nat_gateway of its VIPs' family (NAT real servers route through it)"
    ]


# --- an instance that carries nothing -----------------------------------------------------


# keepalived 2.2.7, vrrp_instance with an empty virtual_ipaddress {} (or none): rc 5,
# "(VI_1) No VIP specified; at least one is sensible".
def test_instance_no_service_uses_refused():
    spare = {"name": "VI_2", "group": "directors", "interface": "eth0", "virtual_router_id": 52}
    problems, _unused = run(instances=INSTANCES + [spare])
    assert problems == [
        "lvs_vrrp_instances (VI_2): no service names it (lvs_services[].vrrp_instance) and it has no nat_gateway: its "
        "virtual_ipaddress would be empty, which keepalived's config test refuses. "
        "Fix: remove the instance, or set vrrp_instance: VI_2 on the services it should carry"
    ]
    problems, _unused = run(instances=INSTANCES + [dict(spare, nat_gateway="198.51.100.1/24", nat_interface="eth1")])
    assert problems == []


# --- director_vrrp_scripts[].script inside double quotes ------------------------------------


# keepalived 2.2.7 refuses an unbalanced quote in a quoted script line (rc 5, "Unterminated quote"); see
# test_keepalived_rules.test_notify_script_with_quote_or_line_break_refused.
def test_vrrp_script_with_quote_refused_on_the_host():
    scripts = [{"name": "chk_ok", "script": "/usr/bin/pgrep haproxy"}, {"name": "chk", "script": '/bin/sh -c "pgrep haproxy"'}]
    problems, _unused = run(dir2={"director_vrrp_scripts": scripts})
    assert problems == [
        "director_vrrp_scripts[1].script (host dir2): contains a double quote; the director writes it inside double quotes, and "
        "keepalived's config test refuses the line (unterminated quote). "
        "Fix: remove the double quote or line break (put arguments that need quoting in a wrapper script)"
    ]
