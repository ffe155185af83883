# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""derive.director_rollout: site.yml's director batches, one director of each VRRP cluster per batch."""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import director_rollout


def instance(name, group):
    return {"name": name, "group": group, "interface": "eth0", "virtual_router_id": 51}


def test_pairs_roll_out_side_by_side_in_rank_order():
    groups = {
        "pair_a": ["a1", "a2"],
        "pair_b": ["b1", "b2"],
        "lvs_director_0_elect": ["a1", "b1"],
        "lvs_director_1_backup": ["a2", "b2"],
        "lvs_director_2_master": [],
    }
    hostvars = {h: {"lvs_vrrp_instances": [instance("VI_A", "pair_a")]} for h in ("a1", "a2")}
    hostvars.update({h: {"lvs_vrrp_instances": [instance("VI_B", "pair_b")]} for h in ("b1", "b2")})
    assert director_rollout(groups, hostvars) == [["a1", "b1"], ["a2", "b2"]]


def test_one_pair_is_one_director_at_a_time_as_before():
    groups = {"directors": ["dir1", "dir2"], "lvs_director_1_backup": ["dir2"], "lvs_director_2_master": ["dir1"]}
    hostvars = {h: {"lvs_vrrp_instances": [instance("VI_1", "directors")]} for h in ("dir1", "dir2")}
    assert director_rollout(groups, hostvars) == [["dir2"], ["dir1"]]


def test_a_chain_of_instances_is_one_cluster():
    # d1-d2 share VI_1, d2-d3 share VI_2: no two of the three are reloaded at once.
    groups = {"p12": ["d1", "d2"], "p23": ["d2", "d3"], "lvs_director_0_elect": ["d1", "d2", "d3"]}
    hostvars = {
        "d1": {"lvs_vrrp_instances": [instance("VI_1", "p12")]},
        "d2": {"lvs_vrrp_instances": [instance("VI_1", "p12"), instance("VI_2", "p23")]},
        "d3": {"lvs_vrrp_instances": [instance("VI_2", "p23")]},
    }
    assert director_rollout(groups, hostvars) == [["d1"], ["d2"], ["d3"]]


def test_active_active_pair_and_a_lone_director():
    # e1 and e2 are both first (each elects one instance) but one cluster; solo has its own instance.
    groups = {"aa": ["e1", "e2"], "one": ["solo"], "lvs_director_0_elect": ["e1", "e2", "solo"]}
    hostvars = {h: {"lvs_vrrp_instances": [instance("VI_X", "aa"), instance("VI_Y", "aa")]} for h in ("e1", "e2")}
    hostvars["solo"] = {"lvs_vrrp_instances": [instance("VI_S", "one")]}
    assert director_rollout(groups, hostvars) == [["e1", "solo"], ["e2"]]


def test_no_directors_no_batches():
    assert director_rollout({"all": ["rs1"]}, {"rs1": {}}) == []
