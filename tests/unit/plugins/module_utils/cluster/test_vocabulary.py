# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster model speaks the IPVS core's vocabulary: one declaration of each kernel-side word."""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils.cluster import model, schema
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import model as ipvs


def test_every_ipvs_method_has_one_inventory_word():
    assert sorted(model.IPVS_METHOD.values()) == sorted(ipvs.METHODS)
    assert model.IPVS_METHOD["tun"] == "tunnel"
    assert model.METHODS == ("dr", "nat", "tun") and set(model.LB_KIND) == set(model.METHODS)


def test_kernel_limits_come_from_ipvs():
    assert model.SCHEDULERS is ipvs.SCHEDULERS and model.DEFAULT_SCHEDULER == ipvs.DEFAULT_SCHEDULER
    assert model.PROTOCOLS is ipvs.SERVICE_PROTOCOLS
    assert (model.WEIGHT_MIN, model.WEIGHT_MAX) == (0, ipvs.MAX_WEIGHT) and (model.PORT_MIN, model.PORT_MAX) == (0, ipvs.MAX_PORT)


def test_tables_accept_exactly_the_documented_keys():
    # docs/inventory-model.md; persistence_granularity is the old name of persistence_netmask.
    assert schema.keys(model.VRRP_INSTANCE) | {"name"} == {
        "name",
        "group",
        "interface",
        "virtual_router_id",
        "segment",
        "vrrp_version",
        "advert_int",
        "auth_pass",
        "unicast_peers",
        "nat_gateway",
        "nat_interface",
        "garp_master_delay",
        "garp_master_refresh",
        "garp_master_repeat",
        "garp_lower_prio_repeat",
        "track_interfaces",
        "track_scripts",
        "track_processes",
        "notify_master",
        "notify_backup",
        "notify_fault",
        "notify_stop",
        "notify",
        "nopreempt",
        "preempt_delay",
    }
    assert schema.keys(model.SERVICE) | {"name"} == {
        "name",
        "vrrp_instance",
        "vip",
        "port",
        "protocol",
        "fwmark",
        "ports",
        "ports_protocol",
        "scheduler",
        "scheduler_flags",
        "method",
        "persistence_timeout",
        "persistence_netmask",
        "persistence_granularity",
        "health_check",
        "backends",
        "sorry_server",
        "quorum",
        "quorum_up",
        "quorum_down",
        "hysteresis",
        "inhibit_on_failure",
        "delay_loop",
        "ops",
        "alpha",
        "omega",
        "virtualhost",
    }
    assert (
        schema.keys(model.BACKEND) | {"group"} == set(model.BACKEND_KEYS) == {"group", "port", "weight", "uthreshold", "lthreshold", "notify_up", "notify_down"}
    )
