# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Domain exceptions of the IPVS core. Modules turn them into ``fail_json`` at the edge."""

from __future__ import annotations


class IPVSError(Exception):
    """Base class: every error the IPVS core raises on purpose."""


class IPVSValidationError(IPVSError):
    """A user-supplied value is wrong. Raised before anything changes."""

    def __init__(self, field, value, reason):
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__("invalid %s=%r: %s" % (field, value, reason))


class IPVSParseError(IPVSError):
    """ipvsadm printed something this collection does not understand."""

    def __init__(self, source, line, reason):
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__("cannot parse the output of %s: %s (line %r)" % (source, reason, line))


class IPVSUnavailableError(IPVSError):
    """ipvsadm is missing, or the kernel has no IPVS."""


class IPVSCommandError(IPVSError):
    """An ipvsadm call failed."""

    def __init__(self, entity, command, rc, stderr, applied=None):
        self.entity = entity
        self.command = command
        self.rc = rc
        self.stderr = stderr
        self.applied = list(applied or [])
        msg = "%s: %s failed (rc=%s): %s" % (entity, command, rc, (stderr or "").strip() or "no error output")
        if self.applied:
            msg += " (already applied before the failure: %s)" % "; ".join(self.applied)
        super().__init__(msg)


class IPVSVerifyError(IPVSError):
    """After applying, the kernel table does not match what was asked."""

    def __init__(self, missing, commands):
        self.missing = list(missing)
        self.commands = list(commands)
        super().__init__(
            "the kernel IPVS table does not match the request after applying %d command(s); "
            "entries that did not land: %s" % (len(self.commands), "; ".join(self.missing))
        )
