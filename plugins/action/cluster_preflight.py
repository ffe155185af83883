# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side preflight of the whole cluster declaration (documented in plugins/modules/cluster_preflight.py)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster

ARGUMENT_SPEC = {
    "vrrp_instances": {"type": "raw"},
    "services": {"type": "raw"},
    "pool_states": {"type": "raw"},
    "fail_on_problems": {"type": "bool", "default": True},
}


class ActionModule(ActionBase):
    """Check lvs_vrrp_instances/lvs_services against every host of the inventory; report every problem at once."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        _dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        hostvars = task_vars.get("hostvars") or {}
        groups = task_vars.get("groups") or {}
        me = task_vars.get("inventory_hostname")
        declared = {}
        for arg, var in (("vrrp_instances", "lvs_vrrp_instances"), ("services", "lvs_services")):
            if args.get(arg) is not None:
                declared[var] = args[arg]
            elif me in hostvars and var in hostvars[me]:
                declared[var] = hostvars[me][var]
            else:
                declared[var] = None
        # The pools' states as this play sees them (drain.yml overrides them for one run).
        pool_states = args["pool_states"] if args.get("pool_states") is not None else self._templar.template(task_vars.get("lvs_pool_states"))
        problems, notes = validate_cluster(declared["lvs_vrrp_instances"], declared["lvs_services"], hostvars, groups, pool_states)
        if declared["lvs_vrrp_instances"] is None:
            notes.insert(0, "lvs_vrrp_instances is not defined: no VRRP instance to check")
        if declared["lvs_services"] is None:
            notes.insert(0, "lvs_services is not defined: no virtual service to check")
        result.update(
            changed=False,
            problems=[p.as_dict() for p in problems],
            notes=notes,
            vrrp_instances=len(declared["lvs_vrrp_instances"] or []) if isinstance(declared["lvs_vrrp_instances"], list) else 0,
            services=len(declared["lvs_services"] or []) if isinstance(declared["lvs_services"], list) else 0,
            hosts=len(groups.get("all") or []),
        )
        if problems:
            lines = ["%d. %s" % (n, p) for n, p in enumerate(problems, 1)]
            result["msg"] = "The cluster declaration has %d problem(s); nothing was changed on any host:\n%s" % (len(problems), "\n".join(lines))
            result["failed"] = bool(args["fail_on_problems"])
        else:
            result["msg"] = "Cluster declaration OK: %d VRRP instance(s), %d service(s), %d host(s)" % (
                result["vrrp_instances"],
                result["services"],
                result["hosts"],
            )
        return result
