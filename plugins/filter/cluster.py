# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that derive what each host carries from the one cluster declaration.

The documentation of each filter is in the YAML file of the same name beside this one
(realserver_vips.yml, realserver_nat_gateways.yml, director_keepalived.yml, director_rollout.yml, real_server_rows.yml,
pool_real_servers.yml, status_report.yml, health_probes.yml, backend_pools.yml,
vrrp_holdings.yml, switchover_plan.yml, unsynced_connections.yml).
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.lvs.cluster.plugins.module_utils.cluster import derive, status
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


def backend_pools(lvs_services):
    """Sorted backend groups of every service."""
    return _call("backend_pools", derive.backend_pools, lvs_services)


def director_keepalived(lvs_vrrp_instances, lvs_services, hostvars, groups, inventory_hostname, pool_states=None):
    """The VRRP instances and virtual servers keepalived.conf holds on ``inventory_hostname``."""
    return _call("director_keepalived", derive.director_keepalived, lvs_vrrp_instances, lvs_services, hostvars, groups, inventory_hostname, pool_states)


def director_rollout(groups, hostvars):
    """site.yml's batches of directors, one director of each VRRP cluster per batch (derive.director_rollout)."""
    return _call("director_rollout", derive.director_rollout, groups, hostvars)


def real_server_rows(derived, ipvs_info, pool=None):
    """The declared real servers of a director beside its kernel table (status.real_server_rows)."""
    return _call("real_server_rows", status.real_server_rows, derived, ipvs_info, pool)


def pool_real_servers(derived, pool):
    """address:port of the real servers of ``pool`` on this director."""
    return _call("pool_real_servers", status.pool_real_servers, derived, pool)


def health_probes(derived, pool):
    """What keepalived's health check of each real server of ``pool`` connects to."""
    return _call("health_probes", status.health_probes, derived, pool)


def vrrp_holdings(derived, ip_addr_text):
    """Per VRRP instance of this director, the addresses it holds now (from ``ip -o addr show``)."""
    return _call("vrrp_holdings", status.vrrp_holdings, derived, ip_addr_text)


def status_report(statuses):
    """Lines of status.yml's report from each director's {director, vrrp, real_servers, sync_daemons}."""
    return _call("status_report", status.report_lines, statuses)


def switchover_plan(statuses, instance, to=None):
    """Who gives ``instance`` up and who takes it (status.switchover_plan), or the refusal as the task's error."""
    try:
        return status.switchover_plan(statuses, instance, to)
    except ModelError as exc:
        raise AnsibleFilterError("switchover refused, nothing was changed: %s" % "; ".join(str(p) for p in exc.problems)) from exc


def unsynced_connections(holder, target, addresses):
    """The holder's established connections to ``addresses`` missing from the target's table."""
    return _call("unsynced_connections", status.unsynced_connections, holder, target, addresses)


class FilterModule:
    """lvs.cluster derivations from the inventory model."""

    def filters(self):
        return {
            "realserver_vips": realserver_vips,
            "realserver_nat_gateways": realserver_nat_gateways,
            "director_keepalived": director_keepalived,
            "backend_pools": backend_pools,
            "director_rollout": director_rollout,
            "real_server_rows": real_server_rows,
            "pool_real_servers": pool_real_servers,
            "status_report": status_report,
            "health_probes": health_probes,
            "vrrp_holdings": vrrp_holdings,
            "switchover_plan": switchover_plan,
            "unsynced_connections": unsynced_connections,
        }
