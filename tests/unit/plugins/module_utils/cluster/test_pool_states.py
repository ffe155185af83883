# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backend pool states (lvs_pool_states, lvs_backend_state): what keepalived is given, and the refusals."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import backend_state, director_keepalived
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.cluster.test_validate import SERVICES, make


def weights(pool_states=None, **overrides):
    instances, services, hostvars, groups = make(**overrides)
    derived = director_keepalived(instances, services, hostvars, groups, "dir1", pool_states)
    return {rs["host"]: (rs["pool"], rs["state"], rs["declared_weight"], rs["weight"]) for rs in derived["virtual_servers"][0]["real_servers"]}


def problems_of(pool_states=None, services=None, **overrides):
    instances, services, hostvars, groups = make(services=services, **overrides)
    problems, _unused = validate_cluster(instances, services, hostvars, groups, pool_states)
    return [str(p) for p in problems]


def test_no_state_is_active_at_declared_weight():
    assert weights() == {
        "rs1": ("pool_blue", "active", 1, 1),
        "rs2": ("pool_blue", "active", 1, 1),
        "rs3": ("pool_green", "active", 1, 1),
        "rs4": ("pool_green", "active", 1, 1),
    }


@pytest.mark.parametrize("state", ["draining", "inactive"])
def test_a_pool_out_of_service_is_weight_zero_and_stays_configured(state):
    got = weights({"pool_blue": state}, rs1={"lvs_backend_weight": 7})
    assert got["rs1"] == ("pool_blue", state, 7, 0) and got["rs2"] == ("pool_blue", state, 1, 0)
    assert got["rs3"] == ("pool_green", "active", 1, 1)


def test_a_host_is_never_more_in_service_than_its_pool():
    # The host's own state takes it further out, never back in.
    assert backend_state({"rs1": {"lvs_backend_state": "active"}}, "rs1", "pool_blue", {"pool_blue": "draining"}) == "draining"
    assert backend_state({"rs1": {"lvs_backend_state": "inactive"}}, "rs1", "pool_blue", {"pool_blue": "draining"}) == "inactive"
    assert backend_state({"rs1": {"lvs_backend_state": "draining"}}, "rs1", "pool_blue", {}) == "draining"
    assert backend_state({}, "rs1", "pool_blue", None) == "active"


def test_shipped_states_pass():
    assert problems_of({"pool_blue": "draining", "pool_green": "active"}) == []
    assert problems_of({"pool_green": "inactive"}, rs1={"lvs_backend_state": "draining"}) == []


def test_unknown_pool_and_state_are_named_with_the_fix():
    got = problems_of({"pool_bleu": "draining", "pool_green": "drained"}, rs2={"lvs_backend_state": "off"})
    assert "lvs_pool_states: names 'pool_bleu', which is not a backend group of any service. Fix: use one of: pool_blue, pool_green" in got
    assert (
        "lvs_pool_states: state of pool_green must be one of active, draining, inactive, got 'drained'. Fix: write pool_green: active (or draining, inactive)"
    ) in got
    assert (
        "lvs_backend_state (host rs2): must be one of active, draining, inactive, got 'off'. Fix: set lvs_backend_state: draining (or inactive), or remove it"
    ) in got


def test_not_a_mapping():
    got = problems_of(["pool_blue"])
    assert got == ["lvs_pool_states: must be a mapping {backend group: state}, got ['pool_blue']. Fix: write e.g. lvs_pool_states: {pool_blue: draining}"]


def test_draining_the_last_active_pool_is_an_outage_and_refused():
    only_blue = [dict(SERVICES[0], backends=[{"group": "pool_blue"}])]
    got = problems_of({"pool_blue": "draining"}, services=only_blue)
    assert got == [
        "lvs_services (web).quorum: no real server of web would be in service: rs1 (draining), rs2 (draining). "
        "That is an outage, not a drain: nothing would serve web, and keepalived's config test refuses a quorum above "
        "the total weight (keepalived's quorum is at least 1). Fix: keep at least one pool of web active "
        "(lvs_pool_states / lvs_backend_state, lvs_backend_weight), drain the pools one at a time, or remove the service"
    ]
    # Both pools of a two-pool service out at once: the same refusal.
    assert len(problems_of({"pool_blue": "inactive", "pool_green": "draining"})) == 1


def test_a_drain_below_quorum_is_refused():
    quorum3 = [dict(SERVICES[0], quorum=3)]
    got = problems_of({"pool_green": "draining"}, services=quorum3)
    assert got == [
        "lvs_services (web).quorum: the active real servers of web weigh 2 in total with rs3 (draining), rs4 (draining) "
        "out of service, below quorum 3; keepalived's config test refuses a quorum above the total weight. Fix: drain fewer "
        "hosts at once (lvs_pool_states / lvs_backend_state, lvs_backend_weight) or lower quorum to at most 2"
    ]
