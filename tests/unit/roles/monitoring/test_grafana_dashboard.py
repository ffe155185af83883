# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Grafana dashboard (roles/monitoring/files/grafana/lvs-cluster.json), where no Grafana runs.

Every query must parse as PromQL (promtool's own parser, through a recording rule per query) and
read only metrics that exist: lvs-metrics' (the collector's HELP table) and node_exporter's ipvs
collector's (docs/monitoring.md). So the dashboard cannot drift from the collector unnoticed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DASHBOARD = os.path.join(REPO, "roles", "monitoring", "files", "grafana", "lvs-cluster.json")
COLLECTOR = os.path.join(REPO, "roles", "monitoring", "files", "usr", "local", "lib", "lvs-metrics", "lvs_metrics.py")
# node_exporter 1.5.0's ipvs collector (collector/ipvs_linux.go), the names docs/monitoring.md lists.
NODE_IPVS = {
    "node_ipvs_connections_total",
    "node_ipvs_incoming_packets_total",
    "node_ipvs_outgoing_packets_total",
    "node_ipvs_incoming_bytes_total",
    "node_ipvs_outgoing_bytes_total",
    "node_ipvs_backend_connections_active",
    "node_ipvs_backend_connections_inactive",
    "node_ipvs_backend_weight",
}


def queries():
    with open(DASHBOARD, encoding="utf-8") as handle:
        dashboard = json.load(handle)
    found = [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(found) >= 10
    return found


def test_queries_read_only_metrics_that_exist():
    spec = importlib.util.spec_from_file_location("lvs_metrics", COLLECTOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    known = set(module.HELP) | NODE_IPVS
    for title, expr in queries():
        used = set(re.findall(r"\b(?:lvs|node_ipvs)_[a-z_]+\b", expr))
        assert used and sorted(used - known) == [], "%s: %s" % (title, expr)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian's prometheus package) is not installed")
def test_queries_parse_as_promql(tmp_path):
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": "dashboard:query_%d" % n, "expr": expr.replace("$cluster", ".*")} for n, (_title, expr) in enumerate(queries())],
            }
        ]
    }
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    proc = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
