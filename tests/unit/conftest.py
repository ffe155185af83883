# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the checkout importable as ``ansible_collections.lvs.cluster`` for pytest.

Modules and module_utils import each other by their collection path, exactly as
they do once installed. The checkout is not laid out under ansible_collections/,
so a link tree under build/ provides the namespace without copying anything.
"""

from __future__ import annotations

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOT = os.path.join(REPO, "build", "pytest")
LINK = os.path.join(ROOT, "ansible_collections", "lvs", "cluster")

if not os.path.islink(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    if os.path.lexists(LINK):
        os.remove(LINK)
    os.symlink(REPO, LINK)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
