# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The checkout importable as ``ansible_collections.lvs.cluster`` here too: tests/unit/conftest.py's set-up, run once."""

from __future__ import annotations

import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(__file__), "..", "..", "unit", "conftest.py"))
