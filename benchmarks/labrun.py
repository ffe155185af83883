# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the lab benchmarks share: lvslab, the collection's playbooks against a lab inventory, a guest's shell."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LVSLAB = os.path.join(ROOT, ".venv", "bin", "lvslab")
PLAYBOOK = os.path.join(ROOT, ".venv", "bin", "ansible-playbook")
ENV = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_TIMEOUT="30")


def lab(*args, **kwargs):
    """``lvslab ARGS``; fails the benchmark when it fails."""
    return subprocess.run([LVSLAB] + list(args), cwd=ROOT, env=ENV, check=True, text=True, **kwargs)


def playbook(inventories, name, log, *extra):
    """``playbooks/NAME`` with each of ``inventories``, its output in ``log``; the seconds it took.

    A failed run ends the benchmark, naming the log.
    """
    argv = [PLAYBOOK]
    for inventory in inventories:
        argv += ["-i", inventory]
    with open(log, "w", encoding="utf-8") as handle:
        started = time.monotonic()
        rc = subprocess.run(
            argv + [os.path.join(ROOT, "playbooks", name)] + list(extra), cwd=ROOT, env=ENV, stdout=handle, stderr=subprocess.STDOUT, check=False
        ).returncode
    if rc != 0:
        sys.exit("%s: %s failed (rc %d), see %s" % (os.path.basename(sys.argv[0]), name, rc, log))
    return time.monotonic() - started


def guest(topology, host, command, check=True):
    """``command`` in a lab guest's shell (lvslab ssh); its standard output."""
    proc = subprocess.run([LVSLAB, "ssh", topology, host, "--", command], cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        sys.exit("%s: on %s, %s failed (rc %d): %s" % (os.path.basename(sys.argv[0]), host, command, proc.returncode, proc.stderr.strip()))
    return proc.stdout


def lab_arguments(doc):
    """The parser every lab benchmark starts from: its docstring's first line, --rounds and --keep."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    return parser
