# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ptrace shim that lets the UML 6.1 kernel boot on hosts with a large XSAVE area.

On hosts with AVX-512 or AMX every UML guest panicked at boot ("userspace - ptrace set fp
regs failed, errno = 14"): see xstate_preload.c. lvslab compiles that file once with the
host's gcc into its cache directory (named by a hash of the source) and starts every guest
kernel with it in LD_PRELOAD. On hosts that do not need it, it passes every call through.
"""

from __future__ import annotations

import fcntl
import hashlib
import os

from .errors import LabError
from .util import run

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xstate_preload.c")
CFLAGS = ["-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror"]


def library_path(cache_dir: str) -> str:
    with open(SOURCE, "rb") as fh:
        digest = hashlib.sha256(fh.read() + " ".join(CFLAGS).encode()).hexdigest()[:12]
    return os.path.join(cache_dir, "xstate-" + digest, "lvslab-xstate.so")


def build(cache_dir: str) -> str:
    """Compile the shim unless the current one exists; return its path. Safe to call concurrently."""
    lib = library_path(cache_dir)
    if os.path.exists(lib):
        return lib
    os.makedirs(os.path.dirname(lib), exist_ok=True)
    with open(os.path.join(cache_dir, ".xstate.lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(lib):
            tmp = lib + ".tmp"
            res = run(["gcc"] + CFLAGS + ["-o", tmp, SOURCE, "-ldl"], check=False)
            if res.returncode != 0:
                raise LabError(
                    "could not compile the UML ptrace shim %s with gcc (install the Debian "
                    "packages gcc and libc6-dev): %s" % (SOURCE, (res.stderr or res.stdout).strip())
                )
            os.rename(tmp, lib)
    return lib
