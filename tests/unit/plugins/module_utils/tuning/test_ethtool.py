# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.ethtool import (
    features_argv,
    parse_features,
    parse_rings,
    plan_features,
    plan_rings,
    rings_argv,
)
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError

DIR = os.path.join(os.path.dirname(__file__), "fixtures", "ethtool")


def text(name):
    with open(os.path.join(DIR, name)) as handle:
        return handle.read()


def test_parse_features_recorded_virtio():
    features = parse_features(text("k-virtio-eth0.txt"))
    assert features["rx-checksumming"] == {"on": True, "fixed": True}
    assert features["tx-checksum-ipv4"] == {"on": False, "fixed": True}  # indented sub-feature
    assert features["tcp-segmentation-offload"]["on"] is True
    assert len(features) == 63


def test_parse_features_recorded_veth():
    features = parse_features(text("k-veth.txt"))
    assert features["generic-receive-offload"] == {"on": False, "fixed": False}
    assert features["large-receive-offload"] == {"on": False, "fixed": True}


def test_parse_rings_recorded_virtio():
    rings = parse_rings(text("g-virtio-eth0.txt"))
    assert rings["max"] == {"rx": 256, "rx-mini": None, "rx-jumbo": None, "tx": 256}
    assert rings["current"]["tx"] == 256


def test_parse_rejects_other_output():
    with pytest.raises(ValueError):
        parse_features(text("g-veth.stderr.txt"))
    with pytest.raises(ValueError):
        parse_rings(text("g-veth.stderr.txt"))


def test_plan_features_short_and_long_names():
    features = parse_features(text("k-veth.txt"))
    changes = plan_features("host h, interface te0", features, {"gro": True, "tso": True, "scatter-gather": False})
    assert changes == [("generic-receive-offload", False, True), ("scatter-gather", True, False)]
    assert features_argv("/usr/sbin/ethtool", "te0", changes) == ["/usr/sbin/ethtool", "-K", "te0", "generic-receive-offload", "on", "scatter-gather", "off"]


def test_plan_features_errors():
    features = parse_features(text("k-veth.txt"))
    with pytest.raises(TuningError, match=r"host h, interface te0: features.lro=on: the driver fixes it off"):
        plan_features("host h, interface te0", features, {"lro": True})
    with pytest.raises(TuningError, match=r"features.warp-drive: the driver has no such feature"):
        plan_features("host h, interface te0", features, {"warp-drive": True})
    # a fixed feature already in the wanted state is fine
    assert plan_features("host h, interface te0", features, {"lro": False}) == []


def test_plan_rings():
    rings = parse_rings(text("g-virtio-eth0.txt"))
    assert plan_rings("w", rings, {"rx": 256}) == []
    changes = plan_rings("w", rings, {"rx": 128, "tx": 256})
    assert changes == [("rx", 256, 128)]
    assert rings_argv("ethtool", "eth0", changes) == ["ethtool", "-G", "eth0", "rx", "128"]
    with pytest.raises(TuningError, match=r"w: rings.rx=4096 is outside 1-256 \(the driver maximum\)"):
        plan_rings("w", rings, {"rx": 4096})
    with pytest.raises(TuningError, match="rings.rx-jumbo: the driver does not support this ring"):
        plan_rings("w", rings, {"rx-jumbo": 64})
