# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What each tuning module does, start to end: validate, read, plan, (check mode: stop), apply, verify.

Each module is DOCUMENTATION + argument_spec + ``run(module, <function here>)``, as the IPVS
modules are with ``ipvs/manage.py``. Each function here takes the module (its ``params``,
``check_mode`` and ``_diff``; ``ensure_ethtool`` also its ``get_bin_path`` and ``run_command``)
and the HostView of the host, and returns the result. Warnings go in the result's
``warnings``, which ``run`` hands to ``module.warn`` when the module succeeds.
"""

from __future__ import annotations

import shlex
import socket

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.ethtool import (
    RING_KEYS,
    features_argv,
    parse_features,
    parse_rings,
    plan_features,
    plan_rings,
    rings_argv,
)
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.plan import apply_writes, diff_text, plan_irq_affinity, plan_net_queues
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.sysfs import HostView, KernelFS


def local_host():
    """The HostView of the host the module runs on: its /proc and /sys, named by its host name."""
    return HostView(KernelFS(), socket.gethostname())


def run(module, function):
    """Call ``function(module, host)`` on this host and exit the module with its result (its
    ``warnings`` as module warnings), or fail with the error's message."""
    try:
        result = function(module, local_host())
    except TuningError as exc:
        module.fail_json(msg=str(exc))
    for warning in result.pop("warnings", ()):
        module.warn(warning)
    module.exit_json(**result)


def _writes_result(module, host, writes, header):
    """Apply ``writes`` (nothing in check mode); ``changed``, ``settings`` and, when asked, ``diff``."""
    changed = apply_writes(host, writes, check_mode=module.check_mode)
    result = dict(changed=bool(changed), settings=[w.as_dict() for w in writes])
    if module._diff and changed:
        before, after = diff_text(writes)
        result["diff"] = dict(before=before, after=after, before_header=header, after_header=header)
    return result


def ensure_irq_affinity(module, host):
    params = module.params
    writes, warnings, facts = plan_irq_affinity(
        host, params["interface"], cpus=params["cpus"], strategy=params["strategy"], allow_no_irqs=params["allow_no_irqs"]
    )
    result = _writes_result(module, host, writes, "%s interrupts" % params["interface"])
    result.update(cpus=facts["cpus"], cpus_from=facts["cpus_from"], irqs=facts["irqs"], warnings=warnings)
    return result


def ensure_net_queues(module, host):
    params = module.params
    writes, warnings, facts = plan_net_queues(
        host, params["interface"], cpus=params["cpus"], rps=params["rps"], rps_flow_cnt=params["rps_flow_cnt"], xps=params["xps"]
    )
    result = _writes_result(module, host, writes, "%s queues" % params["interface"])
    result.update(cpus=facts.get("cpus", ""), rx_queues=facts["rx_queues"], tx_queues=facts["tx_queues"], warnings=warnings)
    if "cpus_from" in facts:
        result["cpus_from"] = facts["cpus_from"]
    return result


def _ethtool(module, argv, where):
    """Run one ethtool command; its output, or an error naming host, interface, command and why."""
    rc, out, err = module.run_command(argv)
    if rc != 0:
        raise TuningError("%s: %s failed (rc=%d): %s" % (where, " ".join(argv), rc, (err or out).strip()))
    return out


def _ethtool_request(where, params):
    """The features ({name: bool}) and rings ({key: int}) asked for, or an error naming the bad entry."""
    features = {}
    for name, value in (params["features"] or {}).items():
        if value is not None and not isinstance(value, bool):
            # As AnsibleModule.boolean: None stays None, anything else must read as a boolean.
            try:
                value = boolean(value)
            except TypeError as exc:
                raise TuningError(to_native(exc))
        features[name] = value
    rings = {}
    for key, value in (params["rings"] or {}).items():
        if key not in RING_KEYS:
            raise TuningError("%s: rings.%s: unknown ring (use %s)" % (where, key, ", ".join(sorted(RING_KEYS))))
        try:
            rings[key] = int(value)
        except (TypeError, ValueError):
            raise TuningError("%s: rings.%s=%r is not an integer" % (where, key, value))
    return features, rings


def ensure_ethtool(module, host):
    params = module.params
    iface = params["interface"]
    where = "host %s, interface %s" % (host.hostname, iface)
    ethtool = module.get_bin_path("ethtool", required=True)
    features, rings = _ethtool_request(where, params)
    feature_changes, ring_changes = [], []
    try:
        if features:
            feature_changes = plan_features(where, parse_features(_ethtool(module, [ethtool, "-k", iface], where)), features)
        if rings:
            ring_changes = plan_rings(where, parse_rings(_ethtool(module, [ethtool, "-g", iface], where)), rings)
    except ValueError as exc:
        raise TuningError("%s: cannot read ethtool output: %s" % (where, exc))
    commands = []
    if feature_changes:
        commands.append(features_argv(ethtool, iface, feature_changes))
    if ring_changes:
        commands.append(rings_argv(ethtool, iface, ring_changes))
    if not module.check_mode:
        for argv in commands:
            _ethtool(module, argv, where)
        if feature_changes:
            left = plan_features(where, parse_features(_ethtool(module, [ethtool, "-k", iface], where)), dict((n, a) for n, _b, a in feature_changes))
            if left:
                raise TuningError("%s: after %s the driver still reports %s" % (where, " ".join(commands[0]), left))
        if ring_changes:
            left = plan_rings(where, parse_rings(_ethtool(module, [ethtool, "-g", iface], where)), dict((k, a) for k, _b, a in ring_changes))
            if left:
                raise TuningError("%s: after %s the driver still reports %s" % (where, " ".join(commands[-1]), left))
    result = dict(
        changed=bool(commands),
        commands=[" ".join(shlex.quote(a) for a in argv) for argv in commands],
        features=dict((n, a) for n, _b, a in feature_changes),
        rings=dict((k, a) for k, _b, a in ring_changes),
    )
    if module._diff and commands:
        lines = [("feature %s" % n, "on" if b else "off", "on" if a else "off") for n, b, a in feature_changes]
        lines += [("ring %s" % k, str(b), str(a)) for k, b, a in ring_changes]
        result["diff"] = dict(
            before="".join("%s: %s\n" % (n, b) for n, b, _a in lines),
            after="".join("%s: %s\n" % (n, a) for n, _b, a in lines),
            before_header="%s ethtool" % iface,
            after_header="%s ethtool" % iface,
        )
    return result
