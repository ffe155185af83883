# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lvslab: real-kernel test lab of User-Mode Linux guests for the lvs.cluster collection.

See docs/lab.md. Command line: ``lvslab --help`` (installed into .venv by scripts/bootstrap.sh).
"""

from __future__ import annotations

from .errors import LabError, PreflightError, TopologyError
from .lab import Lab
from .topology import load as load_topology

__all__ = ["Lab", "LabError", "PreflightError", "TopologyError", "load_topology"]
