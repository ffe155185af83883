# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every shipped alert rule has a promtool test where it fires and one where it stays quiet,
and reads only metrics that something in this repository (or the drain playbook's documented
textfile) produces. `make rules` runs the promtool tests themselves."""

from __future__ import annotations

import importlib.util
import os
import re

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
RULES = os.path.join(REPO, "roles", "monitoring", "files", "etc", "prometheus", "rules", "lvs-cluster.rules.yml")
TESTS = os.path.join(REPO, "tests", "prometheus", "lvs-cluster.rules.test.yml")
COLLECTOR = os.path.join(REPO, "roles", "monitoring", "files", "usr", "local", "lib", "lvs-metrics", "lvs_metrics.py")
# Written by the drain playbook (docs/monitoring.md, "Drain metrics"), not by lvs-metrics.
DRAIN_METRICS = {"lvs_drain_started_timestamp_seconds", "lvs_drain_timeout_seconds"}


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alerts():
    return [rule for group in load(RULES)["groups"] for rule in group["rules"] if "alert" in rule]


def test_every_alert_fires_and_stays_quiet_in_a_test():
    cases = [case for test in load(TESTS)["tests"] for case in test.get("alert_rule_test", [])]
    for rule in alerts():
        mine = [c for c in cases if c["alertname"] == rule["alert"]]
        assert any(c.get("exp_alerts") for c in mine), "%s never fires in %s" % (rule["alert"], TESTS)
        assert any(not c.get("exp_alerts") for c in mine), "%s has no quiet case in %s" % (rule["alert"], TESTS)


def test_rules_read_only_metrics_that_exist():
    spec = importlib.util.spec_from_file_location("lvs_metrics", COLLECTOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    known = set(module.HELP) | DRAIN_METRICS
    used = set()
    for rule in alerts():
        used |= set(re.findall(r"\blvs_[a-z_]+\b", rule["expr"]))
    assert used and sorted(used - known) == []


def test_the_test_file_loads_the_shipped_rules():
    rule_files = load(TESTS)["rule_files"]
    assert [os.path.normpath(os.path.join(os.path.dirname(TESTS), p)) for p in rule_files] == [RULES]
