# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped inventories pass the preflight, and the director's keepalived.conf renders from them.

The inventories are loaded with Ansible's own inventory and variable managers (templated
hostvars, as a playbook sees them). The rendering goes through Ansible's templar with the
template module's settings; the example's output is compared with a golden file that was
checked with keepalived 2.2.7's config test in the lab (see docs/roles-director.md).
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster
from ansible_collections.lvs.cluster.tests.unit.plugins.tests_inventory import load_inventory
from ansible_collections.lvs.cluster.tests.unit.plugins.tests_render import render

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


load = load_inventory


@pytest.mark.parametrize("inventory", ["lab", "example"])
def test_shipped_inventory_passes_the_preflight(inventory):
    _unused, hostvars, groups = load(inventory)
    first = groups["all"][0]
    problems, _unused = validate_cluster(hostvars[first]["lvs_vrrp_instances"], hostvars[first]["lvs_services"], hostvars, groups)
    assert [str(p) for p in problems] == []


def test_example_lb1_renders_the_golden_file():
    loader, hostvars, groups = load("example")
    text = render(loader, hostvars, groups, "lb1")
    with open(os.path.join(FIXTURES, "keepalived-example-lb1.conf"), encoding="utf-8") as fh:
        assert text == fh.read()


def test_example_active_active_and_secret():
    loader, hostvars, groups = load("example")
    lb1 = render(loader, hostvars, groups, "lb1")
    lb2 = render(loader, hostvars, groups, "lb2")
    # Neither instance preempts at once (nopreempt by default, VI_INSIDE with preempt_delay): every member starts BACKUP and
    # the priorities elect, lb1 for VI_WEB, lb2 for VI_INSIDE (60 s after its keepalived starts).
    for text in (lb1, lb2):
        assert "state MASTER" not in text
        web, inside = text.split("vrrp_instance VI_WEB {\n")[1].split("vrrp_instance VI_INSIDE {\n")
        assert web.startswith("    state BACKUP\n") and "    nopreempt\n" in web and "preempt_delay" not in web
        assert inside.startswith("    state BACKUP\n") and "    preempt_delay 60\n" in inside and "nopreempt" not in inside
    assert "priority 150" in lb1.split("vrrp_instance VI_INSIDE")[0] and "priority 150" in lb2.split("vrrp_instance VI_INSIDE")[1]
    # The password is only in the include, never in the diffable main file.
    for text in (lb1, lb2):
        assert "Ch4ngeMe" not in text
        assert "include /etc/keepalived/lvs-auth-VI_INSIDE.conf" in text
    # Scripts are configured (notify_master, MISC_CHECK): script security and the script user are on.
    assert "    enable_script_security\n    script_user keepalived_script\n" in lb1
    assert "198.51.100.1/24 dev eth1" in lb1 and "203.0.113.20/32 dev eth0" in lb1
    assert "unicast_src_ip 192.0.2.2\n    unicast_peer {\n        192.0.2.3\n    }" in lb1


def test_lab_inventory_renders_dr_services():
    loader, hostvars, groups = load("lab")
    dir1 = render(loader, hostvars, groups, "dir1")
    assert "state BACKUP" in dir1 and "nopreempt" in dir1 and "version 3" in dir1 and "advert_int 0.1" in dir1
    assert dir1.count("real_server ") == 6 and "lvs_method DR" in dir1
    # No script of the declaration; the transition logger is one, so script security is on, and a hold file per instance.
    assert "    enable_script_security\n    script_user keepalived_script\n" in dir1
    assert '    vrrp_notify_fifo_script "/usr/local/libexec/lvs-cluster/lvs-vrrp-events" root\n' in dir1
    assert 'track_file lvs_hold_VI_DEMO {\n    file "/run/lvs-cluster/hold-VI_DEMO"\n    weight 0\n    init_file 0 overwrite\n}' in dir1
    assert "    track_file {\n        lvs_hold_VI_DEMO\n    }\n" in dir1
    quiet = render(loader, hostvars, groups, "dir1", extra={"director_vrrp_events": False})
    assert "script_user" not in quiet and "vrrp_notify_fifo" not in quiet  # no script at all: no script security lines


def test_lab_pool_draining_renders_weight_zero_and_keeps_the_real_servers():
    loader, hostvars, groups = load("lab")
    # "blue" has only pool_blue: draining it alone is refused by the preflight, so drain green.
    dir2 = render(loader, hostvars, groups, "dir2", pool_states={"pool_green": "draining"})
    assert dir2.count("real_server ") == 6
    assert dir2.count("        weight 0\n") == 2  # real servers (the hold file has a weight 0 too)
    assert "        # rs3 (pool_green: draining, weight 100 when active)\n        weight 0\n" in dir2
    assert "        # rs1 (pool_blue)\n        weight 100\n" in dir2


def test_example_not_preempting_renders_every_member_backup():
    loader, lazy, groups = load("example")
    hostvars = {host: {key: lazy[host][key] for key in lazy[host]} for host in groups["all"]}
    for host in groups["all"]:
        instances = [dict(i, nopreempt=True) if i["name"] == "VI_WEB" else dict(i, preempt_delay=30) for i in hostvars[host]["lvs_vrrp_instances"]]
        hostvars[host]["lvs_vrrp_instances"] = instances
    for host in ("lb1", "lb2"):
        text = render(loader, hostvars, groups, host)
        assert "state MASTER" not in text
        assert "vrrp_instance VI_WEB {\n    state BACKUP\n" in text and "    nopreempt\n" in text
        assert "vrrp_instance VI_INSIDE {\n    state BACKUP\n" in text and "    preempt_delay 30\n" in text
    assert "priority 150" in render(loader, hostvars, groups, "lb1").split("vrrp_instance VI_INSIDE")[0]
