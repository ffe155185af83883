# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Domain errors of the tuning module_utils, turned into fail_json at the module edge."""

from __future__ import annotations


class TuningError(Exception):
    """Bad input or an unusable host state, detected before anything is written."""


class TuningWriteError(TuningError):
    """The kernel refused a write (the message names the file, the value and the errno)."""
