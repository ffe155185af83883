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
