# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small helpers: running host commands with errors that say what failed."""

from __future__ import annotations

import os
import subprocess
import sys

from .errors import LabError

NETNS_DIR = "/run/netns"


def log(msg: str) -> None:
    """Progress line on stderr (stdout stays clean for `inventory` and `ssh`)."""
    sys.stderr.write("lvslab: %s\n" % msg)
    sys.stderr.flush()


def run(argv, check=True, capture=True, input_text=None, timeout=None, env=None):
    """Run argv (a list, never a shell string); raise LabError naming the command on failure."""
    try:
        proc = subprocess.run(
            argv,
            input=input_text,
            text=True,
            timeout=timeout,
            env=env,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LabError("cannot run %s: %s" % (argv[0], exc)) from exc
    except subprocess.TimeoutExpired as exc:
        raise LabError("%s timed out after %ss" % (" ".join(argv), timeout)) from exc
    if check and proc.returncode != 0:
        err = (proc.stderr or "").strip() if capture else ""
        raise LabError("%s failed (rc=%d)%s" % (" ".join(argv), proc.returncode, (": " + err) if err else ""))
    return proc


def netns_path(ns: str) -> str:
    return os.path.join(NETNS_DIR, ns)


def in_netns(ns: str, argv):
    """argv run inside network namespace ns (only the network namespace is entered)."""
    return ["nsenter", "--net=" + netns_path(ns), "--"] + list(argv)
