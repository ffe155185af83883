# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster_preflight action plugin, run by ansible-playbook on the controller (no host is contacted)."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible_collections.lvs.cluster.tests.unit.plugins.tests_playbook import run_playbook

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

GOOD = {
    "all": {
        "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "lvs_vrrp_instances": [{"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51}],
            "lvs_services": [
                {"name": "web", "vrrp_instance": "VI_1", "vip": "203.0.113.10", "port": 80, "scheduler": "rr", "backends": [{"group": "pool_blue"}]}
            ],
        },
        "children": {
            "directors": {"hosts": {"dir1": {"ansible_host": "192.0.2.11"}, "dir2": {"ansible_host": "192.0.2.12"}}},
            "pool_blue": {"hosts": {"rs1": {"ansible_host": "192.0.2.21"}, "rs2": {"ansible_host": "192.0.2.22"}}},
        },
    }
}

PLAY = [
    {
        "name": "Preflight",
        "hosts": "all",
        "gather_facts": False,
        "tasks": [
            {
                "name": "Check",
                "lvs.cluster.cluster_preflight": {"fail_on_problems": "{{ fail_on_problems | default(true) }}"},
                "run_once": True,
                "register": "result",
            },
            {"name": "Dump", "ansible.builtin.copy": {"content": "{{ result | to_json }}", "dest": "{{ out }}"}, "run_once": True, "delegate_to": "localhost"},
        ],
    }
]


def play(tmp_path, inventory, **extra):
    out = tmp_path / "result.json"
    proc = run_playbook(tmp_path, PLAY, inventory, dict(extra, out=str(out)))
    result = json.loads(out.read_text()) if out.exists() else None
    return proc, result


@pytest.fixture(scope="module")
def collection_link():
    link = os.path.join(REPO, "build", "collections", "ansible_collections", "lvs", "cluster")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)
    return link


def test_good_inventory_passes(tmp_path, collection_link):
    proc, result = play(tmp_path, GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert result["problems"] == [] and result["changed"] is False
    assert result["msg"] == "Cluster declaration OK: 1 VRRP instance(s), 1 service(s), 4 host(s)"


def test_every_problem_reported_before_anything_changes(tmp_path, collection_link):
    bad = json.loads(json.dumps(GOOD))
    bad["all"]["children"]["directors"]["hosts"]["dir2"]["director_vrrp_priority"] = 150
    bad["all"]["children"]["pool_blue"]["hosts"]["rs2"]["lvs_backend_weight"] = 99999
    bad["all"]["vars"]["lvs_services"][0]["scheduler"] = "fastest"
    bad["all"]["vars"]["lvs_vrrp_instances"][0]["nopreempt"] = False  # preempting: the top priority starts MASTER
    proc, result = play(tmp_path, bad, fail_on_problems=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = {(p["variable"], p["host"]) for p in result["problems"]}
    assert ("lvs_services[0] (web).scheduler", None) in found
    assert ("director_vrrp_priority", "dir2") in found
    assert ("lvs_backend_weight", "rs2") in found
    assert ("lvs_vrrp_instances (VI_1).group", None) in found  # two MASTERs at 150
    assert len(result["problems"]) == 4
    proc, result = play(tmp_path, bad)
    assert proc.returncode != 0
    assert "The cluster declaration has 4 problem(s); nothing was changed on any host" in proc.stdout
    assert "director_vrrp_priority (host dir2)" in proc.stdout
