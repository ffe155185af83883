# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base image: package list and the hash that decides when it is rebuilt."""

from __future__ import annotations

from lvslab import image


def test_package_list_has_what_guests_need():
    pkgs = image.read_packages()
    for needed in ("systemd-sysv", "udev", "python3", "openssh-server", "keepalived", "ipvsadm", "iproute2", "kmod"):
        assert needed in pkgs
    assert len(pkgs) == len(set(pkgs))


def test_read_packages_ignores_comments(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("# comment\nkeepalived  # why\n\n ipvsadm\n")
    assert image.read_packages(str(path)) == ["keepalived", "ipvsadm"]


def test_hash_changes_with_packages_code_and_kernel():
    base = image.image_hash(["a", "b"], "6.1.1", "1")
    assert base == image.image_hash(["a", "b"], "6.1.1", "1")
    assert base != image.image_hash(["a", "b", "c"], "6.1.1", "1")
    assert base != image.image_hash(["a", "b"], "6.1.2", "1")
    assert base != image.image_hash(["a", "b"], "6.1.1", "2")


def test_mounts_under_reads_proc(tmp_path):
    # nothing is mounted under a fresh temporary directory
    assert image.mounts_under(str(tmp_path)) == []
