# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exceptions of the lab tool. Every message names what is wrong and how to fix it."""

from __future__ import annotations


class LabError(Exception):
    """A lab operation failed; the message is meant for the person at the terminal."""


class TopologyError(LabError):
    """The topology file is invalid. Raised before anything is started."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = list(problems)
        super().__init__("%s: invalid topology:\n  - %s" % (path, "\n  - ".join(self.problems)))


class PreflightError(LabError):
    """The host lacks something the lab needs. Raised before anything is started."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("the host is not ready for the lab:\n  - %s" % "\n  - ".join(self.problems))
