# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small topology shared by the lab's unit tests."""

from __future__ import annotations

TOPO = {
    "name": "t1",
    "networks": [
        {"name": "front", "subnet": "192.0.2.0/24", "client": "192.0.2.254"},
        {"name": "back", "subnet": "198.51.100.0/24"},
    ],
    "guests": [
        {"name": "dir1", "groups": ["directors"], "addresses": {"front": "192.0.2.11", "back": "198.51.100.11"}},
        {"name": "rs1", "groups": ["pool_blue"], "memory": 384, "addresses": {"back": "198.51.100.21/24"}},
    ],
}
