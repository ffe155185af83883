# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Current table vs desired table -> ordered operations. Pure: no I/O.

What is edited in place and what is replaced:
- a virtual service is identified by protocol+address+port (or fwmark+family); scheduler,
  scheduler flags, persistence (timeout, netmask, engine) and one-packet scheduling are
  changed in place with ``-E`` (connections survive);
- a real server is identified by address+port inside its service; forwarding method,
  weight, thresholds and tunnel options are changed in place with ``-e``;
- a different address or port is a different entry: delete + add.

Order: deletions first (services, then real servers), then service edits and additions,
then real-server additions and edits, so that every line of a batch is valid when run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.argv import describe_server, describe_service
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import RealServer, VirtualService

_PHASE = {"delete_service": 0, "delete_server": 1, "edit_service": 2, "add_service": 3, "add_server": 4, "edit_server": 5}


@dataclass
class Op:
    action: str
    service: VirtualService
    server: Optional[RealServer] = None
    before: Any = field(default=None)

    @property
    def entity(self):
        if self.server is None:
            return "virtual service %s" % self.service.key
        return "real server %s of %s" % (self.server.key, self.service.key)

    def before_text(self):
        if self.action.startswith("add"):
            return None
        if self.server is None:
            return describe_service(self.before if self.before is not None else self.service)
        return describe_server(self.service, self.before if self.before is not None else self.server)

    def after_text(self):
        if self.action.startswith("delete"):
            return None
        if self.server is None:
            return describe_service(self.service)
        return describe_server(self.service, self.server)

    def to_dict(self):
        data = {"action": self.action, "service": str(self.service.key)}
        if self.server is not None:
            data["real_server"] = str(self.server.key)
        return data


def order(ops):
    return sorted(ops, key=lambda op: _PHASE[op.action])


def diff_servers(current, desired, purge):
    """Ops for the real servers of one existing service. ``desired`` is a VirtualService."""
    ops = []
    for key, server in desired.real_servers.items():
        have = current.real_servers.get(key) if current is not None else None
        if have is None:
            ops.append(Op("add_server", desired, server))
        elif have.config() != server.config():
            ops.append(Op("edit_server", desired, server, before=have))
    if purge and current is not None:
        for key, have in current.real_servers.items():
            if key not in desired.real_servers:
                ops.append(Op("delete_server", current, have))
    return ops


def diff_service(current, desired, manage_servers=True, purge=False):
    """Ops to take one service from ``current`` to ``desired`` (either may be None)."""
    if desired is None:
        return [Op("delete_service", current)] if current is not None else []
    ops = []
    if current is None:
        ops.append(Op("add_service", desired))
    elif current.config() != desired.config():
        ops.append(Op("edit_service", desired, before=current))
    if manage_servers:
        ops += diff_servers(current, desired, purge)
    return order(ops)


def diff_server(service, current, desired):
    """Ops for one real server of an existing service (``desired`` None: remove it)."""
    if desired is None:
        return [Op("delete_server", service, current)] if current is not None else []
    if current is None:
        return [Op("add_server", service, desired)]
    if current.config() != desired.config():
        return [Op("edit_server", service, desired, before=current)]
    return []


def diff_table(current, desired, purge=False):
    """Ops to take the whole table from ``current`` to ``desired``.

    ``purge``: also delete services that are not declared, and real servers that are not
    declared in a declared service.
    """
    ops = []
    for key in sorted(desired):
        ops += diff_service(current.get(key), desired[key], manage_servers=True, purge=purge)
    if purge:
        for key in sorted(current):
            if key not in desired:
                ops.append(Op("delete_service", current[key]))
    return order(ops)


def diff_text(ops):
    """The --diff payload: only the entries that change, in ipvsadm's own syntax."""
    before = [text for text in (op.before_text() for op in ops) if text]
    after = [text for text in (op.after_text() for op in ops) if text]
    return {"before": "".join(line + "\n" for line in before), "after": "".join(line + "\n" for line in after)}


# A real-server line of ``ipvsadm -L -n --thresholds`` whose upper or lower threshold is not 0.
# Written in the syntax both Python's re and POSIX ``grep -E`` read: the controller's transport
# runs this very pattern on the host (plugins/action/ipvs_table.py).
SET_THRESHOLD_PATTERN = "^[ \t]*-> [^ \t]+[ \t]+(0*[1-9][0-9]*[ \t]+[0-9]+|[0-9]+[ \t]+0*[1-9][0-9]*)[ \t]"
_SET_THRESHOLD_RE = re.compile(SET_THRESHOLD_PATTERN, re.MULTILINE)
# Its complement among real-server lines: both thresholds 0, which is what a real server without
# a listing line is taken to have (model.RealServer), so the host can leave these lines out.
ZERO_THRESHOLDS_PATTERN = "^[ \t]*-> [^ \t]+[ \t]+0+[ \t]+0+[ \t]"


def table_lines(desired):
    """The declared table in the shape of ``ipvsadm -S -n`` lines (-x/-y only where a threshold is set)."""
    lines = []
    for service in desired.values():
        lines.append(describe_service(service))
        lines.extend(describe_server(service, server) for server in service.real_servers.values())
    return lines


def table_digest(desired):
    """The declared table's fingerprint: sha256 of its ``-S`` lines, unique, sorted byte-wise, each ended by a newline.

    A host computes the same over ``ipvsadm -S -n`` (``LC_ALL=C sort -u | sha256sum``), so the controller learns "this is the declared table" without the text
    coming back. Equal digests mean equal sets of lines: a no-op whether or not ``purge`` is set,
    provided no threshold is set on either side (``-S`` does not print them; see table_unchanged).
    """
    lines = sorted(set(table_lines(desired)))
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("ascii")).hexdigest()


def table_unchanged(save_text, thresholds_text, desired, purge=False):
    """Fast no-op test on the raw text of a read, without parsing 10,000 lines into objects.

    True only when ``diff_table`` would return no operation: every declared line is one of
    the kernel's own ``-S`` lines (our lines have that exact shape, see argv), with purge the
    kernel has no other line, and no threshold is set on either side (-S does not print
    thresholds, so a set one always takes the full parse). False means "parse and diff": it
    costs time, never correctness.
    """
    if _SET_THRESHOLD_RE.search(thresholds_text):
        return False
    kernel = set(save_text.splitlines())
    wanted = table_lines(desired)
    if purge and len(kernel) != len(wanted):
        return False
    return kernel.issuperset(wanted)
