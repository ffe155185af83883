# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One Runner for every path to ipvsadm; a transport makes the last hop.

The Runner turns reads and operations into ipvsadm argv lists (argv.py), maps a failed run to
the errors users see, and keeps the timings. It does not know where ipvsadm runs: its
transport does, and receives every command as an argv list without the binary.

- LocalTransport (here): in a module on the managed host, AnsibleModule.run_command for the
  commands that change the kernel and subprocess for the reads.
- ConnectionTransport (plugins/action/ipvs_table.py): on the controller, one remote shell
  command per call over the task's connection, the argv quoted with shlex.join only there.

A transport has ``on_host`` (True when timings of the host process make sense),
``run(args, data=None) -> (rc, out, err)``, ``read(argvs)``: an iterable of
``(rc, out, err)``, one per argv in order, which it may get in one round trip, and
``read_table(argvs, expect, batch=None) -> (done, reads)``: the batch ``(args, data)`` if
given (``done`` its ``(rc, out, err)``, else None), then the two table reads (``-S -n`` and
``-L -n --thresholds``) as ``read`` gives them, or ``reads`` None when the transport compared the
kernel's table with ``expect`` (differ.table_digest) on the host and found it equal.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv as argvlib
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import parser
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSCommandError, IPVSUnavailableError

MISSING_BINARY = (
    "ipvsadm was not found on this host (searched PATH, /sbin, /usr/sbin): install the ipvsadm package "
    "(Debian/Ubuntu: apt-get install ipvsadm; RHEL/Fedora/Rocky: dnf install ipvsadm; SUSE: zypper install ipvsadm)"
)
NO_IPVS = (
    "the kernel of this host has no IPVS (ipvsadm: %s): load the ip_vs module first "
    "(modprobe ip_vs, or the community.general.modprobe module with name: ip_vs) "
    "or use a kernel built with CONFIG_IP_VS"
)
_NO_IPVS_MARKERS = ("Protocol not available", "Can't initialize ipvs", "Address family not supported")


def parse_table(save, thresholds):
    """A Table from the text of ``ipvsadm -S -n`` and ``ipvsadm -L -n --thresholds``."""
    return parser.merge_thresholds(parser.parse_save(save), parser.parse_thresholds(thresholds))


def _checked(args, rc, out, err, entity="ipvsadm", check_rc=True):
    """Map a failed ipvsadm run to the errors users see (no IPVS in the kernel, other failures)."""
    if rc != 0 and any(marker in (err or "") + (out or "") for marker in _NO_IPVS_MARKERS):
        raise IPVSUnavailableError(NO_IPVS % " ".join((err or out or "").split()))
    if rc != 0 and check_rc:
        raise IPVSCommandError(entity, "ipvsadm " + " ".join(args), rc, err or out)
    return rc, out, err


class LocalTransport:
    """ipvsadm on this host, for a module. ``module`` is an AnsibleModule.

    ``spawn`` starts a read's process (subprocess.run; a seam for unit tests).
    """

    on_host = True

    def __init__(self, module, spawn=subprocess.run):
        self.module = module
        self.spawn = spawn
        self._binary = None

    @property
    def binary(self):
        if self._binary is None:
            path = self.module.get_bin_path("ipvsadm", opt_dirs=["/sbin", "/usr/sbin", "/usr/local/sbin"])
            if not path:
                raise IPVSUnavailableError(MISSING_BINARY)
            self._binary = path
        return self._binary

    def run(self, args, data=None):
        """Through run_command: every command that changes the kernel goes here."""
        return self.module.run_command([self.binary] + list(args), data=data, binary_data=data is not None, environ_update={"LC_ALL": "C", "LANG": "C"})

    def read_table(self, argvs, expect, batch=None):
        """The batch if any, then the reads. ``expect`` is not needed here: the text goes nowhere,
        and the caller's no-op test on it (differ.table_unchanged) costs no more than a digest."""
        del expect
        done = self.run(*batch) if batch is not None else None
        return done, self.read(argvs)

    def read(self, argvs):
        """One process per read, started only once the read before it has been checked.

        Not through run_command: its preexec_fn makes CPython fork() the whole module process
        instead of vfork()ing it, and a fork of a module holding a 10,000-entry table is slow
        (measured in a UML guest: 0.32 s per ``ipvsadm -S -n`` through run_command, 0.19 s
        here; ``/bin/true`` 0.12 s against 0.02 s). A read needs nothing run_command adds.
        """
        env = dict(os.environ, LC_ALL="C", LANG="C")
        for args in argvs:
            try:
                proc = self.spawn([self.binary] + list(args), stdin=subprocess.DEVNULL, capture_output=True, env=env, check=False)
            except OSError as exc:
                yield 127, "", str(exc)
                continue
            yield proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


class Runner:
    """The ipvsadm commands of the IPVS modules, over ``transport`` (LocalTransport on the host)."""

    def __init__(self, transport):
        self.transport = transport
        self.timings = {}

    @property
    def on_host(self):
        return self.transport.on_host

    @contextlib.contextmanager
    def timed(self, phase):
        """Add the seconds the block takes to ``timings[phase]``."""
        start = time.monotonic()
        yield
        self.timings[phase] = self.timings.get(phase, 0.0) + time.monotonic() - start

    def run(self, args, data=None, entity="ipvsadm", check_rc=True):
        """Run a command that changes the kernel; ``data`` goes to its standard input."""
        rc, out, err = self.transport.run(list(args), data)
        return _checked(args, rc, out, err, entity, check_rc)

    def read_many(self, argvs, entity="ipvsadm"):
        """The standard output of each read-only command, in order; the first failure raises."""
        argvs = [list(args) for args in argvs]
        return [_checked(args, rc, out, err, entity)[1] for args, (rc, out, err) in zip(argvs, self.transport.read(argvs))]

    def read(self, args, entity="ipvsadm"):
        """The standard output of one read-only command."""
        return self.read_many([args], entity)[0]

    # --- reading ---------------------------------------------------------------------------
    def read_text(self, expect=None):
        """The raw text of ``ipvsadm -S -n`` and ``ipvsadm -L -n --thresholds`` (-S omits thresholds).

        With ``expect`` (differ.table_digest of the wanted table), None when the transport found
        on the host that the kernel's table is that one, without bringing the text back.
        """
        with self.timed("read"):
            if expect is None:
                save, thresholds = self.read_many([argvlib.SAVE, argvlib.THRESHOLDS])
                return save, thresholds
            return self._table_text(expect)[1]

    def _table_text(self, expect, batch=None):
        argvs = [list(argvlib.SAVE), list(argvlib.THRESHOLDS)]
        done, reads = self.transport.read_table(argvs, expect, batch)
        if done is not None:
            _checked(batch[0], *done, entity="batch", check_rc=False)
        if reads is None:
            return done, None
        return done, tuple(_checked(args, rc, out, err)[1] for args, (rc, out, err) in zip(argvs, reads))

    def read_table(self):
        """The configured table: ``-S -n`` plus thresholds from ``-L -n --thresholds``."""
        return parse_table(*self.read_text())

    def read_timeouts(self):
        return parser.parse_timeouts(self.read(argvlib.TIMEOUTS))

    def read_daemons(self):
        return parser.parse_daemons(self.read(argvlib.DAEMONS))

    # --- writing ---------------------------------------------------------------------------
    def apply(self, ops, batch=False):
        """Run the operations: one ipvsadm call each, or all at once through ``ipvsadm -R``.

        ``ipvsadm -R`` goes on after a failing line and returns only the last line's status,
        so callers must re-read and verify after a batch (manage._converge does).
        Returns the stderr of the batch (empty on success) for the verification message.
        """
        with self.timed("apply"):
            if batch:
                rc, _out, err = self.run(argvlib.RESTORE, data=argvlib.restore_script(ops), entity="batch of %d operation(s)" % len(ops), check_rc=False)
                return (err or "").strip() if rc != 0 or err else ""
            done = []
            for op in ops:
                try:
                    self.run(argvlib.op_argv(op), entity=op.entity)
                except IPVSCommandError as exc:
                    raise IPVSCommandError(exc.entity, exc.command, exc.rc, exc.stderr, applied=done)
                done.append("ipvsadm " + argvlib.restore_line(op))
            return ""

    def apply_batch_and_read_text(self, ops, expect):
        """``ops`` through one ``ipvsadm -R``, then ``read_text(expect)``: one round trip over the
        connection. Returns (the batch's stderr as ``apply`` returns it, the texts or None)."""
        with self.timed("apply"):
            (rc, _out, err), texts = self._table_text(expect, batch=(list(argvlib.RESTORE), argvlib.restore_script(ops)))
        return ((err or "").strip() if rc != 0 or err else ""), texts

    def run_commands(self, argvs):
        for args in argvs:
            self.run(args)
