# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse ``ethtool -k`` (features) and ``ethtool -g`` (ring sizes), plan changes, build argv.

Pure functions: the module runs ethtool and hands the text here.
"""

from __future__ import annotations

import re

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError

# ethtool -K accepts these short names; -k prints the long ones.
FEATURE_ALIASES = {
    "rx": "rx-checksumming",
    "tx": "tx-checksumming",
    "sg": "scatter-gather",
    "tso": "tcp-segmentation-offload",
    "ufo": "udp-fragmentation-offload",
    "gso": "generic-segmentation-offload",
    "gro": "generic-receive-offload",
    "lro": "large-receive-offload",
    "rxvlan": "rx-vlan-offload",
    "txvlan": "tx-vlan-offload",
    "ntuple": "ntuple-filters",
    "rxhash": "receive-hashing",
}

RING_KEYS = {"rx": "RX", "rx-mini": "RX Mini", "rx-jumbo": "RX Jumbo", "tx": "TX"}

_FEATURE = re.compile(r"^\s*([A-Za-z0-9_-]+):\s+(on|off)(?:\s+\[(.*)\])?\s*$")


def parse_features(text):
    """``ethtool -k`` output -> {long name: {'on': bool, 'fixed': bool}} (sub-features included)."""
    features = {}
    for line in text.splitlines():
        match = _FEATURE.match(line)
        if match:
            features[match.group(1)] = {"on": match.group(2) == "on", "fixed": match.group(3) == "fixed"}
    if not features:
        raise ValueError('no "name: on|off" lines in ethtool -k output')
    return features


def parse_rings(text):
    """``ethtool -g`` output -> {'max': {key: int|None}, 'current': {key: int|None}} for rx, rx-mini, rx-jumbo, tx."""
    out = {"max": {}, "current": {}}
    section = None
    labels = dict((label, key) for key, label in RING_KEYS.items())
    for line in text.splitlines():
        if line.startswith("Pre-set maximums"):
            section = "max"
            continue
        if line.startswith("Current hardware settings"):
            section = "current"
            continue
        label, sep, value = line.partition(":")
        if section and sep and label.strip() in labels:
            value = value.strip()
            out[section][labels[label.strip()]] = int(value) if value.isdigit() else None
    if not out["max"] or not out["current"]:
        raise ValueError('no "Pre-set maximums" / "Current hardware settings" sections in ethtool -g output')
    return out


def plan_features(where, current, desired):
    """[(long name, before, after)] for features that differ; errors for unknown or fixed features."""
    changes = []
    for name in sorted(desired):
        want = desired[name]
        long_name = FEATURE_ALIASES.get(name, name)
        if long_name not in current:
            raise TuningError("%s: features.%s: the driver has no such feature (it has: %s)" % (where, name, ", ".join(sorted(current))))
        have = current[long_name]
        if have["on"] == want:
            continue
        if have["fixed"]:
            raise TuningError(
                "%s: features.%s=%s: the driver fixes it %s ([fixed] in ethtool -k)" % (where, name, "on" if want else "off", "on" if have["on"] else "off")
            )
        changes.append((long_name, have["on"], want))
    return changes


def plan_rings(where, rings, desired):
    """[(key, before, after)] for ring sizes that differ; errors above the driver's maximum."""
    changes = []
    for key in sorted(desired):
        want = desired[key]
        maximum = rings["max"].get(key)
        have = rings["current"].get(key)
        if maximum is None or have is None:
            raise TuningError("%s: rings.%s: the driver does not support this ring (n/a in ethtool -g)" % (where, key))
        if want < 1 or want > maximum:
            raise TuningError("%s: rings.%s=%d is outside 1-%d (the driver maximum)" % (where, key, want, maximum))
        if want != have:
            changes.append((key, have, want))
    return changes


def features_argv(ethtool, interface, changes):
    argv = [ethtool, "-K", interface]
    for name, _before, after in changes:
        argv.extend([name, "on" if after else "off"])
    return argv


def rings_argv(ethtool, interface, changes):
    argv = [ethtool, "-G", interface]
    for key, _before, after in changes:
        argv.extend([key, str(after)])
    return argv
