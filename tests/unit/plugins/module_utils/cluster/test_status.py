# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""status.py: the lab's declaration beside what dir1's kernel and addresses really were.

fixtures/lab_dir1_ipvs_info.json is lvs.cluster.ipvs_info (counters: false) on dir1 of the
demo lab after `make demo`; lab_dir1_ip_addr.txt and lab_dir2_ip_addr.txt are `ip -o addr
show` on both directors at the same time (dir1 MASTER).
"""

from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.cluster import status
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import director_keepalived
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import ModelError
from ansible_collections.lvs.cluster.tests.unit.plugins.tests_inventory import load_inventory

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def read(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def lab():
    _loader, hostvars, groups = load_inventory("lab")
    mine = hostvars["dir1"]

    def derive(host="dir1", pool_states=None):
        return director_keepalived(mine["lvs_vrrp_instances"], mine["lvs_services"], hostvars, groups, host, pool_states)

    return derive


@pytest.fixture()
def ipvs():
    return json.loads(read("lab_dir1_ipvs_info.json"))


def test_rows_of_the_rolled_out_lab_are_settled_and_up(lab, ipvs):
    rows = status.real_server_rows(lab(), ipvs)
    assert [(r["service"], r["real_server"], r["host"], r["pool"]) for r in rows] == [
        ("web", "192.0.2.21:80", "rs1", "pool_blue"),
        ("web", "192.0.2.22:80", "rs2", "pool_blue"),
        ("web", "192.0.2.23:80", "rs3", "pool_green"),
        ("web", "192.0.2.24:80", "rs4", "pool_green"),
        ("blue", "192.0.2.21:80", "rs1", "pool_blue"),
        ("blue", "192.0.2.22:80", "rs2", "pool_blue"),
    ]
    assert all(r["settled"] and r["health"] == "up" and r["kernel_weight"] == r["weight"] == 100 for r in rows)
    assert {r["virtual"] for r in rows} == {"tcp/192.0.2.100:80", "tcp/192.0.2.101:80"}


def test_a_drain_is_unsettled_until_the_kernel_holds_weight_zero(lab, ipvs):
    derived = lab(pool_states={"pool_green": "draining"})
    rows = status.real_server_rows(derived, ipvs, "pool_green")
    assert [(r["host"], r["state"], r["weight"], r["declared_weight"], r["kernel_weight"], r["settled"]) for r in rows] == [
        ("rs3", "draining", 0, 100, 100, False),
        ("rs4", "draining", 0, 100, 100, False),
    ]
    for svc in ipvs["services"]:
        for rs in svc["real_servers"]:
            if rs["address"] in ("192.0.2.23", "192.0.2.24"):
                rs["weight"] = 0
    assert all(r["settled"] for r in status.real_server_rows(derived, ipvs))


def test_a_real_server_keepalived_removed_is_down_and_blocks_a_restore(lab, ipvs):
    web = ipvs["services"][0]
    web["real_servers"] = [rs for rs in web["real_servers"] if rs["address"] != "192.0.2.21"]
    rows = status.real_server_rows(lab(), ipvs)
    rs1_web = [r for r in rows if r["host"] == "rs1" and r["service"] == "web"][0]
    assert rs1_web["kernel_weight"] is None and rs1_web["health"] == "down" and not rs1_web["settled"]
    # Drained, its absence is what keepalived was asked for: settled (no traffic either way).
    drained = status.real_server_rows(lab(pool_states={"pool_blue": "draining"}), ipvs, "pool_blue")
    assert [r["settled"] for r in drained if r["service"] == "web"] == [True, False]


def test_inhibit_on_failure_weight_zero_is_down(lab, ipvs):
    derived = copy.deepcopy(lab())
    derived["virtual_servers"][0]["inhibit_on_failure"] = True
    ipvs["services"][0]["real_servers"][0]["weight"] = 0
    row = status.real_server_rows(derived, ipvs)[0]
    assert (row["health"], row["settled"]) == ("down", False)


def test_pool_real_servers_and_probes(lab):
    derived = lab()
    assert status.pool_real_servers(derived, "pool_blue") == ["192.0.2.21:80", "192.0.2.22:80"]
    probes = status.health_probes(derived, "pool_blue")
    assert [(p["service"], p["host"], p["type"], p["port"], p["url"], p["status_code"]) for p in probes] == [
        ("web", "rs1", "TCP_CHECK", 80, None, None),
        ("web", "rs2", "TCP_CHECK", 80, None, None),
        ("blue", "rs1", "HTTP_GET", 80, "http://192.0.2.21:80/", 200),
        ("blue", "rs2", "HTTP_GET", 80, "http://192.0.2.22:80/", 200),
    ]


def test_vrrp_holdings_from_the_recorded_addresses(lab):
    assert status.vrrp_holdings(lab(), read("lab_dir1_ip_addr.txt")) == [
        {
            "instance": "VI_DEMO",
            "state": "BACKUP",
            "priority": 150,
            "preemption": "nopreempt",
            "holds": ["192.0.2.100", "192.0.2.101"],
            "missing": [],
            "master": True,
            "services": ["web", "blue"],
        }
    ]
    backup = status.vrrp_holdings(lab("dir2"), read("lab_dir2_ip_addr.txt"))[0]
    assert (backup["state"], backup["holds"], backup["master"]) == ("BACKUP", [], False)


def test_report_names_the_master_and_warns_of_split_brain_and_of_no_master(lab, ipvs):
    rows = status.real_server_rows(lab(pool_states={"pool_green": "draining"}), ipvs)
    dir1 = {
        "director": "dir1",
        "vrrp": status.vrrp_holdings(lab(), read("lab_dir1_ip_addr.txt")),
        "real_servers": rows,
        "sync_daemons": [{"role": "master"}, {"role": "backup"}],
    }
    dir2 = {"director": "dir2", "vrrp": status.vrrp_holdings(lab("dir2"), read("lab_dir2_ip_addr.txt")), "real_servers": [], "sync_daemons": []}
    lines = status.report_lines([dir1, dir2])
    assert lines[0] == "VI_DEMO: dir1 is MASTER (holds 192.0.2.100, 192.0.2.101); configured BACKUP, priority 150, nopreempt"
    assert lines[1] == "VI_DEMO: dir2 is BACKUP (holds none of 192.0.2.100, 192.0.2.101); configured BACKUP, priority 100, nopreempt"
    assert lines[2] == "--- dir1 (IPVS sync daemons: master, backup)"
    assert lines[3].split() == ["service", "real", "server", "host", "pool", "state", "weight", "kernel", "health", "active", "inactive"]
    assert lines[6].split() == ["web", "192.0.2.23:80", "rs3", "pool_green", "draining", "0/100", "100", "up", "0", "2"]
    assert lines[-1] == "service  real server  host  pool  state  weight  kernel  health  active  inactive"
    both = dict(dir2, vrrp=status.vrrp_holdings(lab("dir2"), read("lab_dir1_ip_addr.txt")))
    assert "WARNING: VI_DEMO is held by dir1, dir2 at once (split brain)" in status.report_lines([dir1, both])
    none = dict(dir1, vrrp=status.vrrp_holdings(lab(), read("lab_dir2_ip_addr.txt")))
    assert "WARNING: no director holds all the addresses of VI_DEMO: its VIPs do not answer" in status.report_lines([none, dir2])


def test_rows_refuse_what_is_not_a_result():
    with pytest.raises(ModelError):
        status.real_server_rows(None, {})


# --- switchover_plan / unsynced_connections (playbooks/switchover.yml) ---------------------


@pytest.fixture()
def statuses(lab, ipvs):
    """Both lab directors as switchover.yml gathers them: dir1 holds VI_DEMO, dir2 is a healthy BACKUP."""

    def one(host, addresses):
        return {
            "director": host,
            "vrrp": status.vrrp_holdings(lab(host), read(addresses)),
            "real_servers": status.real_server_rows(lab(host), ipvs),
            "sync_daemons": ipvs["sync_daemons"],
            "keepalived_active": True,
            "hold": {"VI_DEMO": 0},
            "sync_expected": True,
        }

    return [one("dir1", "lab_dir1_ip_addr.txt"), one("dir2", "lab_dir2_ip_addr.txt")]


def refusal(statuses, instance="VI_DEMO", to=None):
    with pytest.raises(ModelError) as caught:
        status.switchover_plan(statuses, instance, to)
    return [str(p) for p in caught.value.problems]


def test_switchover_plan_moves_to_the_healthy_backup(statuses):
    assert status.switchover_plan(statuses, "VI_DEMO") == {
        "instance": "VI_DEMO",
        "from": "dir1",
        "to": "dir2",
        "addresses": ["192.0.2.100", "192.0.2.101"],
        "services": ["web", "blue"],
        "noop": False,
    }
    assert status.switchover_plan(statuses, "VI_DEMO", "dir1")["noop"] is True


def test_switchover_refused_for_an_unknown_instance_or_director(statuses):
    assert refusal(statuses, "VI_NOPE") == ["lvs_switchover_instance: no director has VRRP instance 'VI_NOPE'. Fix: use one of: VI_DEMO"]
    assert refusal(statuses, to="rs1") == ["lvs_switchover_to: 'rs1' is not a director of VI_DEMO (its directors: dir1, dir2). Fix: name one of them"]


def test_switchover_refused_for_an_instance_that_preempts(statuses):
    for one in statuses:
        one["vrrp"][0]["preemption"] = "preempts"
    assert refusal(statuses)[0].startswith(
        "lvs_switchover_instance: VI_DEMO preempts (nopreempt: false): its highest priority would take the VIP back as soon as the hold is released"
    )


def test_switchover_refused_without_one_holder(statuses):
    statuses[0]["vrrp"] = statuses[1]["vrrp"]  # nobody holds the addresses
    assert refusal(statuses)[0].startswith("lvs_switchover_instance: no director holds all the addresses of VI_DEMO now")
    both = copy.deepcopy(statuses)
    both[0]["vrrp"][0]["master"] = both[1]["vrrp"][0]["master"] = True
    assert refusal(both)[0].startswith("lvs_switchover_instance: VI_DEMO is held by dir1, dir2 at once (split brain)")


def test_switchover_refused_when_the_target_is_not_healthy(statuses):
    target = statuses[1]
    target.update(keepalived_active=False, hold={"VI_DEMO": 1}, sync_daemons=[{"role": "master"}])
    for row in target["real_servers"]:
        if row["service"] == "blue":
            row["kernel_weight"] = None
            row["health"] = "down"
    assert refusal(statuses) == [
        "lvs_switchover_to: VI_DEMO cannot move from dir1 to dir2: keepalived is not running on dir2; dir2 is held out of VI_DEMO "
        "(its hold file says 1: FAULT); dir2 runs no backup IPVS sync daemon, so it does not hold the connections; service blue has "
        "no real server up with a weight above 0 on dir2. Fix: fix dir2 first (playbooks/status.yml shows its state; site.yml puts "
        "the configuration back); nothing was changed"
    ]
    statuses[0]["hold"] = {}
    target.update(keepalived_active=True, hold={"VI_DEMO": None}, sync_expected=False)
    assert "dir1 has no hold file for VI_DEMO" in refusal(statuses)[0] and "dir2 has no hold file for VI_DEMO" in refusal(statuses)[0]


def test_unsynced_connections_are_the_holders_established_ones_the_target_lacks():
    def conn(client, state="ESTABLISHED", virtual="192.0.2.100:80", template=False):
        return {"protocol": "tcp", "client": client, "virtual": virtual, "real_server": "192.0.2.21:80", "state": state, "template": template}

    holder = [
        conn("203.0.113.2:1000"),
        conn("203.0.113.2:1001"),
        conn("203.0.113.2:1002", "TIME_WAIT"),
        conn("203.0.113.2:0", "NONE", template=True),
        conn("203.0.113.2:1003", virtual="192.0.2.200:80"),
        conn("203.0.113.2:1004", virtual="fwmark/10"),
    ]
    target = [conn("203.0.113.2:1000", "FIN_WAIT")]
    assert status.unsynced_connections(holder, target, ["192.0.2.100", "192.0.2.101"]) == [conn("203.0.113.2:1001")]
    assert status.unsynced_connections(holder, holder, ["192.0.2.100"]) == []
