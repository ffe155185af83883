# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that derive what each host carries from the one cluster declaration.

The documentation of each filter is in the YAML file of the same name beside this one
(realserver_vips.yml, realserver_nat_gateways.yml, director_keepalived.yml).
"""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.lvs.cluster.plugins.module_utils.cluster import derive
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import ModelError


def _call(name, func, *args):
    try:
        return func(*args)
    except ModelError as exc:
        raise AnsibleFilterError(
            "lvs.cluster.%s: the cluster declaration has %d problem(s) (run playbooks/preflight.yml for the full report): %s"
            % (name, len(exc.problems), "; ".join(str(p) for p in exc.problems))
        ) from exc


def realserver_vips(lvs_services, group_names, method):
    """Sorted unique VIPs of the services with forwarding ``method`` that the host's groups back."""
    return _call("realserver_vips", derive.realserver_vips, lvs_services, group_names, method)


def realserver_nat_gateways(lvs_services, lvs_vrrp_instances, group_names):
    """[{address, prefix, instance}] for the NAT services the host's groups back."""
    return _call("realserver_nat_gateways", derive.realserver_nat_gateways, lvs_services, lvs_vrrp_instances, group_names)


def director_keepalived(lvs_vrrp_instances, lvs_services, hostvars, groups, inventory_hostname, pool_states=None):
    """The VRRP instances and virtual servers keepalived.conf holds on ``inventory_hostname``."""
    return _call("director_keepalived", derive.director_keepalived, lvs_vrrp_instances, lvs_services, hostvars, groups, inventory_hostname,
                 pool_states)


class FilterModule:
    """lvs.cluster derivations from the inventory model."""

    def filters(self):
        return {
            "realserver_vips": realserver_vips,
            "realserver_nat_gateways": realserver_nat_gateways,
            "director_keepalived": director_keepalived,
        }
