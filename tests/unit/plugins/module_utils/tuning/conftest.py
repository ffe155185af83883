# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixture giving tests a writable copy of a recorded kernel tree."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from kerneltree import materialise  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def kernel_tree(tmp_path):
    return lambda name: materialise(name, tmp_path)
