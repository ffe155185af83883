# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's config.json.j2, rendered from the shipped inventories, is what the collector accepts.

Rendered through Ansible's templar with the role's defaults and vars, as the template module
does, then read by the collector's own load_config (the check the role's validate runs).
"""

from __future__ import annotations

import importlib.util
import json
import os

import pytest
import yaml
from ansible.template import Templar, trust_as_template

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import director_keepalived
from ansible_collections.lvs.cluster.tests.unit.plugins.tests_inventory import load_inventory

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
ROLE = os.path.join(REPO, "roles", "monitoring")
COLLECTOR = os.path.join(ROLE, "files", "usr", "local", "lib", "lvs-metrics", "lvs_metrics.py")

_spec = importlib.util.spec_from_file_location("lvs_metrics", COLLECTOR)
lvs_metrics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lvs_metrics)


def role_vars():
    variables = {}
    for part in ("defaults", "vars"):
        with open(os.path.join(ROLE, part, "main.yml"), encoding="utf-8") as handle:
            variables.update(yaml.safe_load(handle))
    return {k: trust_as_template(v) if isinstance(v, str) else v for k, v in variables.items()}


def render(inventory, host, template, **extra):
    loader, hostvars, groups = load_inventory(inventory)
    mine = hostvars[host]
    variables = role_vars()
    variables.update(
        {
            "_monitoring_keepalived": director_keepalived(mine["lvs_vrrp_instances"], mine["lvs_services"], hostvars, groups, host),
            "inventory_hostname": host,
            "ansible_managed": "Ansible managed",
        }
    )
    variables.update(extra)
    templar = Templar(loader=loader, variables=variables)
    with open(os.path.join(ROLE, "templates", template), encoding="utf-8") as handle:
        source = handle.read()
    return templar.template(trust_as_template(source), escape_backslashes=False, overrides={"trim_blocks": True}), mine


@pytest.mark.parametrize("inventory, host", [("example", "lb1"), ("lab", "dir1")])
def test_config_renders_every_service_the_director_carries(tmp_path, inventory, host):
    text, mine = render(inventory, host, "etc/lvs-metrics/config.json.j2")
    path = tmp_path / "config.json"
    path.write_text(text)
    config = lvs_metrics.load_config(str(path))
    assert config["textfile"] == "/var/lib/prometheus/node-exporter/lvs-metrics.prom"
    assert config["keepalived"] == {"binary": "keepalived", "pidfile": "/run/keepalived.pid", "json": "/tmp/keepalived.json", "timeout": 5}
    assert config["sync_daemons_expected"] is True
    names = sorted(s["name"] for s in config["services"])
    assert names and names == sorted(s["name"] for s in mine["lvs_services"] if s["vrrp_instance"] in [i["name"] for i in mine["lvs_vrrp_instances"]])
    assert all(s["quorum"] >= 1 and s["real_servers"] >= 1 for s in config["services"])


def test_sync_daemons_off_on_the_director_is_not_expected_here(tmp_path):
    text, _mine = render("example", "lb1", "etc/lvs-metrics/config.json.j2", director_lvs_sync_daemon=False)
    assert json.loads(text)["sync_daemons_expected"] is False


def test_node_exporter_arguments_trim_the_ipvs_labels():
    text, _mine = render("example", "lb1", "etc/default/prometheus-node-exporter.j2")
    args = [line for line in text.splitlines() if line.startswith("ARGS=")]
    assert args == [
        'ARGS="--collector.ipvs --collector.ipvs.backend-labels=local_address,local_port,proto,local_mark'
        " --collector.textfile --collector.textfile.directory=/var/lib/prometheus/node-exporter"
        ' --web.listen-address=:9100"'
    ]
