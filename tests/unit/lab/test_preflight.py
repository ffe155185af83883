# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Preflight: every host problem is reported before anything starts, with what to install or fix."""

from __future__ import annotations

import pytest

from lvslab import preflight, topology
from lvslab.errors import PreflightError
from tests_lab_data import TOPO


class FakeProbe(preflight.HostProbe):
    def __init__(self, euid=0, missing=(), tun=True, overlay=True, shm=10000, modules=True):
        self._euid, self._missing, self._tun, self._overlay, self._shm, self._modules = euid, set(missing), tun, overlay, shm, modules

    def euid(self):
        return self._euid

    def which(self, tool):
        return None if tool in self._missing else "/usr/bin/" + tool

    def is_chardev(self, path):
        return self._tun

    def filesystems(self):
        return "nodev\toverlay\n" if self._overlay else "nodev\tproc\n"

    def shm_free_mib(self):
        return self._shm

    def uml_modules(self):
        return self._modules


def topo():
    return topology.parse(TOPO, "t.yml")


def test_ready_host_has_no_problems():
    assert preflight.check_host(topo(), need_image_build=True, probe=FakeProbe()) == []


def test_not_root():
    msg = preflight.check_host(topo(), probe=FakeProbe(euid=1000))
    assert msg == ["not running as root: the lab creates network namespaces, taps and mounts; run it as root (sudo)"]


def test_no_tun():
    (msg,) = preflight.check_host(topo(), probe=FakeProbe(tun=False))
    assert msg.startswith("/dev/net/tun is missing: load the tun module (modprobe tun)")


def test_missing_tools_name_the_package():
    msgs = preflight.check_host(topo(), need_image_build=True, probe=FakeProbe(missing={"linux.uml", "debootstrap", "socat"}))
    assert "linux.uml not found: install it with apt-get install user-mode-linux" in msgs
    assert "debootstrap not found: install it with apt-get install debootstrap" in msgs
    assert "socat not found: install it with apt-get install socat" in msgs


def test_debootstrap_only_needed_to_build_the_image():
    assert preflight.check_host(topo(), need_image_build=False, probe=FakeProbe(missing={"debootstrap"})) == []


def test_missing_uml_modules_and_overlay():
    msgs = preflight.check_host(topo(), probe=FakeProbe(modules=False, overlay=False))
    assert any("apt-get install --reinstall user-mode-linux" in m for m in msgs)
    assert any("modprobe overlay" in m for m in msgs)


def test_shm_too_small_names_the_need():
    (msg,) = preflight.check_host(topo(), probe=FakeProbe(shm=100))
    assert "/dev/shm has 100 MiB free but the guests of t1 need 640 MiB" in msg


def test_require_raises_with_every_problem():
    with pytest.raises(PreflightError) as err:
        preflight.require(topo(), probe=FakeProbe(euid=5, tun=False))
    assert len(err.value.problems) == 2
    assert "the host is not ready for the lab" in str(err.value)
