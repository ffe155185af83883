# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs ipvsadm through AnsibleModule.run_command (argv lists only) and reads the kernel table."""

from __future__ import annotations

import os
import subprocess
import time

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv as argvlib
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import parser
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSCommandError, IPVSUnavailableError

MISSING_BINARY = ("ipvsadm was not found on this host (searched PATH, /sbin, /usr/sbin): install the ipvsadm package "
                  "(Debian/Ubuntu: apt-get install ipvsadm; RHEL/Fedora/Rocky: dnf install ipvsadm; SUSE: zypper install ipvsadm)")
NO_IPVS = ("the kernel of this host has no IPVS (ipvsadm: %s): load the ip_vs module first "
           "(modprobe ip_vs, or the community.general.modprobe module with name: ip_vs) "
           "or use a kernel built with CONFIG_IP_VS")
_NO_IPVS_MARKERS = ("Protocol not available", "Can't initialize ipvs", "Address family not supported")


def parse_table(save, thresholds):
    """A Table from the text of ``ipvsadm -S -n`` and ``ipvsadm -L -n --thresholds``."""
    return parser.merge_thresholds(parser.parse_save(save), parser.parse_thresholds(thresholds))


class Runner:
    """Thin wrapper around one ipvsadm binary. ``module`` is an AnsibleModule."""

    # How read() starts a process (a seam for unit tests of the error mapping).
    spawn = staticmethod(subprocess.run)
    # Runs on the managed host (the action plugin of ipvs_table has a runner on the controller).
    on_host = True

    def __init__(self, module):
        self.module = module
        self._binary = None
        self.commands = []  # every mutating command run, as text, for RETURN
        self.timings = {}

    @property
    def binary(self):
        if self._binary is None:
            path = self.module.get_bin_path("ipvsadm", opt_dirs=["/sbin", "/usr/sbin", "/usr/local/sbin"])
            if not path:
                raise IPVSUnavailableError(MISSING_BINARY)
            self._binary = path
        return self._binary

    def run(self, args, data=None, entity="ipvsadm", check_rc=True):
        """Run ipvsadm through run_command (every command that changes the kernel goes here)."""
        command = [self.binary] + list(args)
        rc, out, err = self.module.run_command(command, data=data, binary_data=data is not None,
                                               environ_update={"LC_ALL": "C", "LANG": "C"})
        return self.check(args, rc, out, err, entity, check_rc)

    def read(self, args, entity="ipvsadm"):
        """Run a read-only ipvsadm command and return its standard output.

        Not through run_command: its preexec_fn makes CPython fork() the whole module process
        instead of vfork()ing it, and a fork of a module holding a 10,000-entry table is slow
        (measured in a UML guest: 0.32 s per ``ipvsadm -S -n`` through run_command, 0.19 s
        here; ``/bin/true`` 0.12 s against 0.02 s). A read needs nothing run_command adds.
        """
        command = [self.binary] + list(args)
        env = dict(os.environ, LC_ALL="C", LANG="C")
        try:
            proc = self.spawn(command, stdin=subprocess.DEVNULL, capture_output=True, env=env, check=False)
        except OSError as exc:
            raise IPVSCommandError(entity, "ipvsadm " + " ".join(args), 127, str(exc))
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        return self.check(args, proc.returncode, out, err, entity, True)[1]

    @staticmethod
    def check(args, rc, out, err, entity="ipvsadm", check_rc=True):
        """Map a failed ipvsadm run to the errors users see (no IPVS in the kernel, other failures)."""
        if rc != 0 and any(marker in (err or "") + (out or "") for marker in _NO_IPVS_MARKERS):
            raise IPVSUnavailableError(NO_IPVS % " ".join((err or out or "").split()))
        if rc != 0 and check_rc:
            raise IPVSCommandError(entity, "ipvsadm " + " ".join(args), rc, err or out)
        return rc, out, err

    # --- reading ---------------------------------------------------------------------------
    def read_text(self):
        """The raw text of ``ipvsadm -S -n`` and ``ipvsadm -L -n --thresholds`` (-S omits thresholds)."""
        start = time.monotonic()
        save = self.read(["-S", "-n"])
        thresholds = self.read(["-L", "-n", "--thresholds"])
        self.timings["read"] = self.timings.get("read", 0.0) + time.monotonic() - start
        return save, thresholds

    def read_table(self):
        """The configured table: ``-S -n`` plus thresholds from ``-L -n --thresholds``."""
        return parse_table(*self.read_text())

    def read_timeouts(self):
        return parser.parse_timeouts(self.read(["-L", "--timeout"]))

    def read_daemons(self):
        return parser.parse_daemons(self.read(["-L", "--daemon"]))

    # --- writing ---------------------------------------------------------------------------
    def apply(self, ops, batch=False):
        """Run the operations: one ipvsadm call each, or all at once through ``ipvsadm -R``.

        ``ipvsadm -R`` goes on after a failing line and returns only the last line's status,
        so callers must re-read and verify after a batch (manage.verify does).
        Returns the stderr of the batch (empty on success) for the verification message.
        """
        start = time.monotonic()
        lines = [argvlib.restore_line(op) for op in ops]
        if batch:
            self.commands.append("ipvsadm -R")
            rc, _out, err = self.run(["-R"], data=argvlib.restore_script(ops), entity="batch of %d operation(s)" % len(ops),
                                     check_rc=False)
            self.timings["apply"] = time.monotonic() - start
            return (err or "").strip() if rc != 0 or err else ""
        done = []
        for op, line in zip(ops, lines):
            try:
                self.run(argvlib.op_argv(op), entity=op.entity)
            except IPVSCommandError as exc:
                exc.applied = done
                raise IPVSCommandError(exc.entity, exc.command, exc.rc, exc.stderr, applied=done)
            self.commands.append("ipvsadm " + line)
            done.append("ipvsadm " + line)
        self.timings["apply"] = time.monotonic() - start
        return ""

    def run_commands(self, argvs):
        for args in argvs:
            self.run(args)
            self.commands.append("ipvsadm " + " ".join(args))
