# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/execution-environment.yml and its requirements files: controller-side, pinned as the
repository's own venv is, and holding no target package. `make ee` runs ansible-builder on them."""

from __future__ import annotations

import os
import re

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TARGET_PACKAGES = {"ipvsadm", "keepalived", "prometheus-node-exporter", "ethtool", "irqbalance"}


def lines(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        return [re.sub(r"\s*#.*$", "", line).strip() for line in handle if re.sub(r"\s*#.*$", "", line).strip()]


def test_meta_points_at_files_that_exist():
    with open(os.path.join(REPO, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        meta = yaml.safe_load(handle)
    assert meta["version"] == 1
    assert sorted(meta["dependencies"]) == ["python", "system"]
    for path in meta["dependencies"].values():
        assert not os.path.isabs(path) and lines(path), path


def test_python_requirements_are_pinned_as_in_requirements_txt():
    pinned = dict(line.lower().split("==") for line in lines("requirements.txt"))
    ee = lines("meta/ee-requirements.txt")
    assert ee and all("==" in line for line in ee), ee
    assert dict((k, v) for k, v in (line.lower().split("==") for line in ee) if pinned.get(k) != v) == {}


def test_no_target_package_in_the_system_requirements():
    names = {line.split()[0] for line in lines("meta/ee-bindep.txt")}
    assert names and names & TARGET_PACKAGES == set()
