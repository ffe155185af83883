# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/sort.yml, run by ansible-playbook on the controller (group_by contacts no host).

The order the directors are rolled out in: the highest priority of an instance that does not
preempt first (a new cluster elects the first keepalived to start), BACKUPs next, the highest
priority of a preempting instance last.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
import yaml

from ansible_collections.lvs.cluster.tests.unit.plugins.tests_playbook import REPO, run_playbook

GROUPS = ("lvs_director_0_elect", "lvs_director_1_backup", "lvs_director_2_master", "lvs_realserver_dr")


def inventory(instances, priorities=None):
    directors = {"dir1": {"ansible_host": "192.0.2.11"}, "dir2": {"ansible_host": "192.0.2.12"}}
    for host, priority in (priorities or {}).items():
        directors[host]["director_vrrp_priority"] = priority
    services = [
        {
            "name": "web%d" % n,
            "vrrp_instance": inst["name"],
            "vip": "203.0.113.%d" % (10 + n),
            "port": 80,
            "scheduler": "rr",
            "backends": [{"group": "pool_blue"}],
        }
        for n, inst in enumerate(instances)
    ]
    return {
        "all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "lvs_vrrp_instances": instances, "lvs_services": services},
            "children": {"directors": {"hosts": directors}, "pool_blue": {"hosts": {"rs1": {"ansible_host": "192.0.2.21"}}}},
        }
    }


def sorted_groups(tmp_path, inv):
    out = tmp_path / "groups.json"
    book = [
        {"import_playbook": os.path.join(REPO, "playbooks", "sort.yml")},
        {
            "name": "Dump",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"name": "Write the groups", "ansible.builtin.copy": {"content": "{{ groups | to_json }}", "dest": str(out)}}],
        },
    ]
    proc = run_playbook(tmp_path, book, inv)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    groups = json.loads(out.read_text())
    return {name: groups.get(name, []) for name in GROUPS}


VI_1 = {"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51}


@pytest.mark.parametrize(
    "option, first, last",
    [
        ({}, ["dir1"], []),  # nopreempt, the default: the top priority first
        ({"preempt_delay": 30}, ["dir1"], []),  # preempts after the delay: first as well
        ({"nopreempt": False}, [], ["dir1"]),  # preempts at once: the MASTER last
    ],
)
def test_the_top_priority_goes_first_unless_it_preempts(tmp_path, option, first, last):
    groups = sorted_groups(tmp_path, inventory([dict(VI_1, **option)]))
    assert groups == {"lvs_director_0_elect": first, "lvs_director_1_backup": ["dir2"], "lvs_director_2_master": last, "lvs_realserver_dr": ["rs1"]}


def test_active_active_puts_both_first(tmp_path):
    second = dict(VI_1, name="VI_2", virtual_router_id=52, preempt_delay=60)
    groups = sorted_groups(tmp_path, inventory([VI_1, second], {"dir1": {"VI_1": 150, "VI_2": 100}, "dir2": {"VI_1": 100, "VI_2": 150}}))
    assert sorted(groups["lvs_director_0_elect"]) == ["dir1", "dir2"] and groups["lvs_director_1_backup"] == []


def two_pairs():
    """Two VRRP pairs in one inventory, each declared in its own group's vars."""

    def cluster(tag, subnet):
        inst = {"name": "VI_" + tag.upper(), "group": "directors_" + tag, "interface": "eth0", "virtual_router_id": 51}
        service = {
            "name": "web_" + tag,
            "vrrp_instance": inst["name"],
            "vip": subnet + ".10",
            "port": 80,
            "scheduler": "rr",
            "backends": [{"group": "pool_" + tag}],
        }
        hosts = {"dir%s%d" % (tag, n): {"ansible_host": "%s.%d" % (subnet, 10 + n)} for n in (1, 2)}
        return {
            "vars": {"lvs_vrrp_instances": [inst], "lvs_services": [service]},
            "children": {"directors_" + tag: {"hosts": hosts}, "pool_" + tag: {"hosts": {"rs" + tag: {"ansible_host": subnet + ".21"}}}},
        }

    return {
        "all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
            "children": {"cluster_a": cluster("a", "192.0.2"), "cluster_b": cluster("b", "198.51.100")},
        }
    }


def site_director_play():
    """site.yml's director play (the one with a serial), as written there."""
    with open(os.path.join(REPO, "playbooks", "site.yml"), encoding="utf-8") as handle:
        plays = yaml.safe_load(handle)
    (play,) = [p for p in plays if "serial" in p and any(t.get("ansible.builtin.include_role", {}).get("name") == "lvs.cluster.director" for t in p["tasks"])]
    return play


def site_batches(tmp_path, inv, before=(), args=()):
    """sort.yml, the ``before`` plays, then site.yml's director play keywords: (rc, output, the batches as sorted lists)."""
    out = tmp_path / "batches"
    play = site_director_play()
    book = [{"import_playbook": os.path.join(REPO, "playbooks", "sort.yml")}, *before]
    book.append(
        {
            "name": "site.yml's director play keywords",
            "hosts": play["hosts"],
            "serial": play["serial"],
            "any_errors_fatal": play["any_errors_fatal"],
            "gather_facts": False,
            "tasks": [{"name": "Write the batch", "ansible.builtin.shell": "echo '{{ ansible_play_batch | to_json }}' >> %s" % out, "run_once": True}],
        }
    )
    proc = run_playbook(tmp_path, book, inv, args=args)
    batches = [sorted(json.loads(line)) for line in out.read_text().splitlines()] if out.exists() else []
    return proc.returncode, proc.stdout + proc.stderr, batches


def test_site_rolls_two_pairs_side_by_side_one_director_of_each_per_batch(tmp_path):
    rc, output, batches = site_batches(tmp_path, two_pairs())
    assert rc == 0, output
    # nopreempt (the default): each pair's top priority first, both pairs in one batch (in any order).
    assert batches == [["dira1", "dirb1"], ["dira2", "dirb2"]]


def test_a_director_that_failed_earlier_does_not_shift_the_others_batches(tmp_path):
    # Ansible forms the batches over the play's whole host list, failed hosts included (they do not
    # run): without dirb1, dira2 still waits for the second batch instead of joining dira1.
    fails = {
        "name": "dirb1 fails before the directors",
        "hosts": "all",
        "gather_facts": False,
        "tasks": [{"name": "Fail", "ansible.builtin.fail": {"msg": "down"}, "when": "inventory_hostname == 'dirb1'"}],
    }
    rc, output, batches = site_batches(tmp_path, two_pairs(), before=[fails])
    assert rc == 2, output  # dirb1's failure
    assert batches == [["dira1"], ["dira2", "dirb2"]]


def test_under_a_limit_the_batches_hold_only_the_limited_directors(tmp_path):
    rc, output, batches = site_batches(tmp_path, two_pairs(), args=["--limit", "dira1,dira2,dirb2"])
    assert rc == 0, output
    assert batches == [["dira1", "dirb2"], ["dira2"]]
