# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inventory, guest files and the UML command line rendered from a topology."""

from __future__ import annotations

import shlex

import yaml

from lvslab import render, topology
from tests_lab_data import TOPO


def topo():
    return topology.parse(TOPO, "/x/t.yml")


def test_inventory_groups_and_connection_vars():
    t = topo()
    inv = yaml.safe_load(render.inventory_yaml(t))
    hosts = inv["all"]["hosts"]
    assert list(hosts) == ["dir1", "rs1"]
    assert inv["all"]["children"] == {"directors": {"hosts": {"dir1": None}}, "pool_blue": {"hosts": {"rs1": None}}}
    dir1 = hosts["dir1"]
    assert dir1["ansible_host"] == "203.0.113.10"
    assert dir1["ansible_user"] == "root"
    assert dir1["ansible_ssh_private_key_file"] == render.STATE_ROOT + "/t1/id_ed25519"
    assert dir1["ansible_control_path_dir"] == render.STATE_ROOT + "/t1/cp"
    args = shlex.split(dir1["ansible_ssh_common_args"])
    assert "ProxyCommand=nsenter --net=/run/netns/lvslab-t1 socat - TCP:%h:%p" in args
    assert "StrictHostKeyChecking=no" in args and "UserKnownHostsFile=/dev/null" in args
    assert dir1["lab_mgmt"]["name"] == "vec0"
    assert dir1["lab_interfaces"] == {
        "front": {"name": "vec1", "address": "192.0.2.11", "prefix": 24, "cidr": "192.0.2.11/24", "mac": t.guests[0].interfaces[1].mac},
        "back": {"name": "vec2", "address": "198.51.100.11", "prefix": 24, "cidr": "198.51.100.11/24", "mac": t.guests[0].interfaces[2].mac},
    }
    assert list(hosts["rs1"]["lab_interfaces"]) == ["back"]
    assert inv["all"]["vars"]["lab_clients"] == {"front": "192.0.2.254"}
    assert inv["all"]["vars"]["lab_networks"]["back"] == {"subnet": "198.51.100.0/24", "interface": "vec2"}


def test_ssh_argv_uses_proxy_and_key():
    t = topo()
    argv = render.ssh_argv(t, t.guests[0], ["ipvsadm", "-Ln"], extra_options=["ConnectTimeout=3"])
    assert argv[0] == "ssh" and argv[-4:] == ["root@203.0.113.10", "--", "ipvsadm", "-Ln"]
    # the extra option comes before the default one: ssh keeps the first value
    assert argv.index("ConnectTimeout=3") < argv.index("ConnectTimeout=10")
    assert "ProxyCommand=nsenter --net=/run/netns/lvslab-t1 socat - TCP:%h:%p" in argv


def test_guest_files_networkd_per_interface():
    t = topo()
    files = render.guest_files(t, t.guests[0], "ssh-ed25519 AAAA test\n")
    assert files["/etc/hostname"][0] == "dir1\n"
    assert files["/root/.ssh/authorized_keys"] == ("ssh-ed25519 AAAA test\n", 0o600)
    net = files["/etc/systemd/network/11-vec1.network"][0]
    assert "MACAddress=%s" % t.guests[0].interfaces[1].mac in net
    assert "Address=192.0.2.11/24" in net
    assert "RequiredForOnline=no" in net
    assert "RequiredForOnline=yes" in files["/etc/systemd/network/10-vec0.network"][0]
    reboot = files["/etc/systemd/system/systemd-reboot.service.d/lvslab.conf"][0]
    assert "SuccessAction=poweroff-force" in reboot and render.REBOOT_MARKER in reboot
    assert len(files["/etc/machine-id"][0].strip()) == 32
    other = render.guest_files(t, t.guests[1], "k")
    assert other["/etc/machine-id"] != files["/etc/machine-id"]


def test_uml_argv():
    t = topo()
    argv = render.uml_argv(t, t.guests[1], "/r", "/u")
    assert argv[:4] == ["linux.uml", "mem=384M", "umid=rs1", "uml_dir=/u"]
    assert "rootflags=/r" in argv and "rootfstype=hostfs" in argv
    vecs = [a for a in argv if a.startswith("vec")]
    assert vecs == [
        "vec0:transport=tap,ifname=lt1n0,mac=%s" % t.guests[1].interfaces[0].mac,
        "vec2:transport=tap,ifname=lt1n2,mac=%s" % t.guests[1].interfaces[1].mac,
    ]
