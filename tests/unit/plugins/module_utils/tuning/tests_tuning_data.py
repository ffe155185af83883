# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tuning unit tests share besides the kernel trees: a fake ethtool on recorded output.

Imported by its collection path (tests_*.py is not collected as a test module).
"""

from __future__ import annotations

import os
import re

ETHTOOL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "ethtool")
ETHTOOL = "/usr/sbin/ethtool"
_RING_LABELS = {"rx": "RX", "rx-mini": "RX Mini", "rx-jumbo": "RX Jumbo", "tx": "TX"}


def recorded(name):
    with open(os.path.join(ETHTOOL_DIR, name)) as handle:
        return handle.read()


class FakeEthtool(object):
    """An ethtool whose ``-k``/``-g`` answer with text recorded from a real driver (fixtures/ethtool/)
    and whose ``-K``/``-G`` change that text, so the read after a change sees it, as on a NIC.

    ``rings=None`` answers ``-g`` as a veth does (rc 1, recorded stderr); options in ``refuse``
    succeed but change nothing (a driver that ignores the request).
    """

    def __init__(self, features=None, rings=None, refuse=()):
        self.features = features
        self.rings = rings
        self.refuse = refuse
        self.ran = []

    def run_command(self, argv):
        self.ran.append(list(argv))
        option = argv[1]
        if option == "-k":
            return 0, self.features, ""
        if option == "-g":
            if self.rings is None:
                return 1, "", recorded("g-veth.stderr.txt")
            return 0, self.rings, ""
        pairs = list(zip(argv[3::2], argv[4::2]))
        if option in self.refuse:
            return 0, "", ""
        if option == "-K":
            for name, value in pairs:
                self.features = re.sub(r"(?m)^(\s*%s): (on|off)" % re.escape(name), r"\1: " + value, self.features)
        elif option == "-G":
            head, sep, current = self.rings.partition("Current hardware settings:")
            for key, value in pairs:
                current = re.sub(r"(?m)^(%s:\s+)\d+" % _RING_LABELS[key], r"\g<1>" + value, current)
            self.rings = head + sep + current
        return 0, "", ""

    def changes_run(self):
        """The commands that change the NIC (``-K``, ``-G``), in order."""
        return [argv for argv in self.ran if argv[1] in ("-K", "-G")]
