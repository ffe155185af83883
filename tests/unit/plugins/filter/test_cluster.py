# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the lvs.cluster filters that real servers and the director consume."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lvs.cluster.plugins.filter.cluster import FilterModule

F = FilterModule().filters()

INSTANCES = [
    {"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51, "nat_gateway": "198.51.100.1/24", "nat_interface": "eth1"},
    {"name": "VI_2", "group": "directors", "interface": "eth0", "virtual_router_id": 52},
]
SERVICES = [
    {
        "name": "web",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.10",
        "port": 80,
        "method": "dr",
        "backends": [{"group": "pool_blue", "port": 80}, {"group": "pool_green", "port": 80}],
    },
    {"name": "web_tls", "vrrp_instance": "VI_1", "vip": "203.0.113.10", "port": 443, "method": "dr", "backends": [{"group": "pool_blue", "port": 443}]},
    {"name": "api", "vrrp_instance": "VI_2", "vip": "203.0.113.2", "port": 80, "method": "dr", "backends": [{"group": "pool_green"}]},
    {
        "name": "dns",
        "vrrp_instance": "VI_1",
        "vip": "198.51.100.53",
        "port": 53,
        "protocol": "udp",
        "method": "nat",
        "health_check": {"type": "TCP_CHECK"},
        "backends": [{"group": "pool_nat"}],
    },
    {"name": "tunnelled", "vrrp_instance": "VI_2", "vip": "2001:db8::10", "port": 80, "method": "tun", "backends": [{"group": "pool_green"}]},
    {"name": "tunnelled4", "vrrp_instance": "VI_2", "vip": "203.0.113.30", "port": 80, "method": "tun", "backends": [{"group": "pool_green"}]},
]


def test_realserver_vips_dr_unique_and_sorted_numerically():
    # 203.0.113.2 sorts before 203.0.113.10 (numeric, not string order); .10 appears once.
    assert F["realserver_vips"](SERVICES, ["pool_blue", "pool_green"], "dr") == ["203.0.113.2", "203.0.113.10"]


def test_realserver_vips_only_the_hosts_groups():
    assert F["realserver_vips"](SERVICES, ["pool_blue"], "dr") == ["203.0.113.10"]
    assert F["realserver_vips"](SERVICES, ["ungrouped"], "dr") == []
    assert F["realserver_vips"](SERVICES, [], "dr") == []


def test_realserver_vips_by_method():
    assert F["realserver_vips"](SERVICES, ["pool_nat"], "nat") == ["198.51.100.53"]
    assert F["realserver_vips"](SERVICES, ["pool_nat"], "dr") == []
    # IPv4 first, then IPv6.
    assert F["realserver_vips"](SERVICES, ["pool_green"], "tun") == ["203.0.113.30", "2001:db8::10"]


def test_realserver_vips_empty_declaration():
    assert F["realserver_vips"]([], ["pool_blue"], "dr") == []
    assert F["realserver_vips"](None, ["pool_blue"], "dr") == []


def test_realserver_vips_rejects_unknown_method():
    with pytest.raises(AnsibleFilterError, match="unknown forwarding method 'fullnat'"):
        F["realserver_vips"](SERVICES, ["pool_blue"], "fullnat")


def test_realserver_vips_reports_every_problem():
    bad = [{"name": "x", "vip": "not-an-ip", "port": 80, "backends": [{"group": "g"}], "scheduler": "nope"}]
    with pytest.raises(AnsibleFilterError) as err:
        F["realserver_vips"](bad, ["g"], "dr")
    text = str(err.value)
    assert "2 problem(s)" in text
    assert "lvs_services[0] (x).vip" in text and "lvs_services[0] (x).scheduler" in text


def test_realserver_nat_gateways():
    assert F["realserver_nat_gateways"](SERVICES, INSTANCES, ["pool_nat"]) == [{"address": "198.51.100.1", "prefix": 24, "instance": "VI_1"}]
    assert F["realserver_nat_gateways"](SERVICES, INSTANCES, ["pool_blue"]) == []


def test_realserver_nat_gateways_once_per_instance():
    services = SERVICES + [
        {"name": "dns_tcp", "vrrp_instance": "VI_1", "vip": "198.51.100.53", "port": 53, "method": "nat", "backends": [{"group": "pool_nat"}]}
    ]
    assert len(F["realserver_nat_gateways"](services, INSTANCES, ["pool_nat"])) == 1


def test_realserver_nat_gateways_instance_without_gateway_fails_naming_it():
    services = [{"name": "nat2", "vrrp_instance": "VI_2", "vip": "203.0.113.40", "port": 80, "method": "nat", "backends": [{"group": "pool_nat"}]}]
    with pytest.raises(AnsibleFilterError, match=r"lvs_vrrp_instances \(VI_2\)\.nat_gateway: is not set"):
        F["realserver_nat_gateways"](services, INSTANCES, ["pool_nat"])


HOSTVARS = {
    "dir1": {"ansible_host": "192.0.2.11"},
    "dir2": {"ansible_host": "192.0.2.12"},
    "rs1": {"ansible_host": "192.0.2.21"},
    "rs2": {"ansible_host": "192.0.2.22", "lvs_backend_weight": 5},
    "rs3": {"ansible_host": "192.0.2.23", "lvs_backend_weights": {"web": 0}, "lvs_backend_weight": 7},
    "rs4": {"ansible_host": "rs4.lab", "lvs_backend_address": "192.0.2.24"},
}
GROUPS = {"all": list(HOSTVARS), "directors": ["dir1", "dir2"], "pool_blue": ["rs1", "rs2"], "pool_green": ["rs3", "rs4"]}
DR_INSTANCES = [
    {"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51, "unicast_peers": True, "vrrp_version": 3, "advert_int": 0.1}
]
DR_SERVICES = [
    {
        "name": "web",
        "vrrp_instance": "VI_1",
        "vip": "203.0.113.10",
        "port": 80,
        "scheduler": "rr",
        "backends": [{"group": "pool_blue", "weight": 100}, {"group": "pool_green"}],
    }
]


def test_director_keepalived_master_backup_and_real_servers():
    one = F["director_keepalived"](DR_INSTANCES, DR_SERVICES, HOSTVARS, GROUPS, "dir1")
    two = F["director_keepalived"](DR_INSTANCES, DR_SERVICES, HOSTVARS, GROUPS, "dir2")
    (vi1,), (vi2,) = one["vrrp_instances"], two["vrrp_instances"]
    # No preemption by default: every member starts BACKUP, the priorities elect (docs/failover.md).
    assert (vi1["state"], vi1["priority"], vi2["state"], vi2["priority"]) == ("BACKUP", 150, "BACKUP", 100)
    assert (vi1["nopreempt"], vi1["preempting"], vi1["top_priority"], vi2["top_priority"]) == (True, False, True, False)
    assert vi1["unicast_src_ip"] == "192.0.2.11" and vi1["unicast_peer"] == ["192.0.2.12"]
    assert vi2["unicast_src_ip"] == "192.0.2.12" and vi2["unicast_peer"] == ["192.0.2.11"]
    assert vi1["virtual_ipaddress"] == [{"cidr": "203.0.113.10/32", "dev": "eth0"}]
    (vs,) = one["virtual_servers"]
    assert vs["lb_kind"] == "DR" and vs["scheduler"] == "rr" and vs["port"] == 80
    assert [(r["address"], r["port"], r["weight"]) for r in vs["real_servers"]] == [
        ("192.0.2.21", 80, 100),
        ("192.0.2.22", 80, 5),
        ("192.0.2.23", 80, 0),
        ("192.0.2.24", 80, 1),
    ]
    assert one["schedulers"] == ["rr"] and one["methods"] == ["dr"]
    assert "auth_pass" not in vi1 and vi1["auth"] is False


def test_director_keepalived_never_carries_the_password():
    instances = [dict(DR_INSTANCES[0], vrrp_version=2, advert_int=1, auth_pass="s3cret")]
    out = F["director_keepalived"](instances, DR_SERVICES, HOSTVARS, GROUPS, "dir1")
    assert out["vrrp_instances"][0]["auth"] is True
    assert "s3cret" not in repr(out)


def test_director_keepalived_not_a_director():
    assert F["director_keepalived"](DR_INSTANCES, DR_SERVICES, HOSTVARS, GROUPS, "rs1") == {
        "vrrp_instances": [],
        "virtual_servers": [],
        "uses_scripts": False,
        "methods": [],
        "schedulers": [],
        "marks": [],
    }


def test_director_keepalived_explicit_priorities():
    hostvars = dict(
        HOSTVARS,
        dir1={"ansible_host": "192.0.2.11", "director_vrrp_priority": 90},
        dir2={"ansible_host": "192.0.2.12", "director_vrrp_priority": {"VI_1": 200}},
    )
    preempting = [dict(DR_INSTANCES[0], nopreempt=False)]
    one = F["director_keepalived"](preempting, DR_SERVICES, hostvars, GROUPS, "dir1")["vrrp_instances"][0]
    two = F["director_keepalived"](preempting, DR_SERVICES, hostvars, GROUPS, "dir2")["vrrp_instances"][0]
    assert (one["state"], one["priority"], two["state"], two["priority"]) == ("BACKUP", 90, "MASTER", 200)
    assert (one["preempting"], two["top_priority"]) == (True, True)


@pytest.mark.parametrize("option", [{"nopreempt": True}, {"preempt_delay": 20}])
def test_director_keepalived_not_preempting_starts_all_backup(option):
    instances = [dict(DR_INSTANCES[0], **option)]
    one = F["director_keepalived"](instances, DR_SERVICES, HOSTVARS, GROUPS, "dir1")["vrrp_instances"][0]
    two = F["director_keepalived"](instances, DR_SERVICES, HOSTVARS, GROUPS, "dir2")["vrrp_instances"][0]
    # Both start BACKUP; the priorities (and site.yml's rollout order) still single out dir1.
    assert (one["state"], one["priority"], one["top_priority"]) == ("BACKUP", 150, True)
    assert (two["state"], two["priority"], two["top_priority"]) == ("BACKUP", 100, False)


def test_director_keepalived_top_priority_follows_priorities():
    hostvars = dict(
        HOSTVARS, dir1={"ansible_host": "192.0.2.11", "director_vrrp_priority": 90}, dir2={"ansible_host": "192.0.2.12", "director_vrrp_priority": 200}
    )
    one = F["director_keepalived"](DR_INSTANCES, DR_SERVICES, hostvars, GROUPS, "dir1")["vrrp_instances"][0]
    two = F["director_keepalived"](DR_INSTANCES, DR_SERVICES, hostvars, GROUPS, "dir2")["vrrp_instances"][0]
    assert (one["top_priority"], two["top_priority"]) == (False, True)


def test_director_keepalived_missing_backend_group():
    services = [dict(DR_SERVICES[0], backends=[{"group": "pool_gone"}])]
    with pytest.raises(AnsibleFilterError, match="backend group pool_gone is missing"):
        F["director_keepalived"](DR_INSTANCES, services, HOSTVARS, GROUPS, "dir1")


def test_director_keepalived_nat_gateway_in_virtual_ipaddress():
    services = [
        {
            "name": "dns",
            "vrrp_instance": "VI_1",
            "vip": "203.0.113.53",
            "port": 53,
            "protocol": "udp",
            "method": "nat",
            "health_check": {"type": "TCP_CHECK"},
            "backends": [{"group": "pool_blue"}],
        }
    ]
    out = F["director_keepalived"](INSTANCES, services, HOSTVARS, GROUPS, "dir1")
    assert out["vrrp_instances"][0]["virtual_ipaddress"] == [{"cidr": "203.0.113.53/32", "dev": "eth0"}, {"cidr": "198.51.100.1/24", "dev": "eth1"}]
    assert out["virtual_servers"][0]["lb_kind"] == "NAT" and out["virtual_servers"][0]["protocol"] == "udp"
