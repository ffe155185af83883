# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The UML ptrace shim builds cleanly and is cached by its source (lvslab/xstate.py)."""

import ctypes
import os
import shutil

import pytest

from lvslab import xstate


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is installed by scripts/bootstrap.sh")
def test_builds_once_and_exports_ptrace(tmp_path):
    lib = xstate.build(str(tmp_path))
    assert os.path.dirname(lib).startswith(str(tmp_path / "xstate-"))
    mtime = os.stat(lib).st_mtime_ns
    assert xstate.build(str(tmp_path)) == lib
    assert os.stat(lib).st_mtime_ns == mtime
    # -Werror in CFLAGS: a warning would have failed the build. The wrapper is what linux.uml calls.
    assert ctypes.CDLL(lib).ptrace is not None


def test_library_path_names_the_source_hash(tmp_path):
    assert xstate.library_path(str(tmp_path)) == xstate.library_path(str(tmp_path))
    assert xstate.library_path(str(tmp_path)).endswith("/lvslab-xstate.so")
