# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The per-guest supervisor boots the kernel again only when the guest left the reboot marker."""

from __future__ import annotations

import sys

from lvslab import supervise

# A stand-in for the kernel: counts its runs; on the first run it asks for a reboot (writes
# the marker), on the second it powers off with exit code 7.
KERNEL = """
import os, sys
count_file, marker = sys.argv[1], sys.argv[2]
n = int(open(count_file).read()) if os.path.exists(count_file) else 0
open(count_file, "w").write(str(n + 1))
if n == 0:
    open(marker, "w").write("reboot")
    sys.exit(0)
sys.exit(7)
"""


def test_reboot_marker_restarts_then_poweroff_ends(tmp_path, capsys):
    count, marker = tmp_path / "count", tmp_path / "marker"
    rc = supervise.main([str(marker), "--", sys.executable, "-c", KERNEL, str(count), str(marker)])
    assert rc == 7
    assert count.read_text() == "2"
    assert not marker.exists()
    assert "guest rebooted" in capsys.readouterr().out


def test_stale_marker_from_a_crash_is_ignored(tmp_path):
    count, marker = tmp_path / "count", tmp_path / "marker"
    count.write_text("1")  # the stand-in powers off at once
    marker.write_text("reboot")  # left behind by an earlier boot that crashed mid-reboot
    rc = supervise.main([str(marker), "--", sys.executable, "-c", KERNEL, str(count), str(marker)])
    assert rc == 7 and count.read_text() == "2"


def test_usage_error():
    assert supervise.main(["only-marker"]) == 2
