# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line: argument handling and errors that do not need a running lab."""

from __future__ import annotations

from lvslab import cli


def test_split_command():
    assert cli._split_command(["ssh", "t.yml", "h", "--", "ip", "-br", "a"]) == (["ssh", "t.yml", "h"], ["ip", "-br", "a"])
    assert cli._split_command(["status", "t.yml"]) == (["status", "t.yml"], [])


def test_invalid_topology_is_an_error_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "t.yml"
    bad.write_text("name: x\nguests:\n  - name: a\n    addresses: {nope: 192.0.2.1}\n")
    assert cli.main(["up", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "invalid topology" in err and "unknown network 'nope'" in err


def test_inventory_prints_without_a_running_lab(tmp_path, capsys):
    t = tmp_path / "t.yml"
    t.write_text("name: x\nguests:\n  - name: a\n    groups: [g]\n")
    assert cli.main(["inventory", str(t)]) == 0
    out = capsys.readouterr().out
    assert "ansible_host: 203.0.113.10" in out and "g:" in out
