# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The director role's check of the connection sync sysctls (tasks/sysctl-check.yml), run by ansible-playbook on localhost.

It must refuse what the kernel refuses (proc_do_sync_threshold, the ranges of ipvs-sysctl.rst) before anything changes,
and let null (the kernel's value) and valid values through.
"""

from __future__ import annotations


import pytest

from ansible_collections.lvs.cluster.tests.unit.plugins.tests_playbook import run_playbook


def run(tmp_path, **values):
    book = [
        {
            "name": "Check",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"name": "The check", "ansible.builtin.include_role": {"name": "lvs.cluster.director", "tasks_from": "sysctl-check"}}],
        }
    ]
    return run_playbook(tmp_path, book, args=("-c", "local"), extra_vars=values or None)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "director_ipvs_sync_threshold": "3 50",
            "director_ipvs_sync_refresh_period": 10,
            "director_ipvs_sync_retries": 3,
            "director_ipvs_sync_persist_mode": 1,
        },
        {"director_ipvs_sync_threshold": "5 0"},
    ],
)
def test_valid_values_pass(tmp_path, values):
    proc = run(tmp_path, **values)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "values",
    [
        {"director_ipvs_sync_threshold": "50 3"},
        {"director_ipvs_sync_threshold": "3"},
        {"director_ipvs_sync_threshold": "3 x"},
        {"director_ipvs_sync_refresh_period": -1},
        {"director_ipvs_sync_retries": 4},
        {"director_ipvs_sync_persist_mode": 2},
    ],
)
def test_what_the_kernel_refuses_is_refused_with_the_fix(tmp_path, values):
    proc = run(tmp_path, **values)
    assert proc.returncode != 0
    assert "fix the variable, or set it to null to leave the kernel's value. Nothing was changed." in proc.stdout
