# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of lvs.cluster.ipvs_table (documented in plugins/modules/ipvs_table.py).

1. The declaration is validated here, with the module's own argument_spec and validator, so a
   bad entry fails before anything runs on the host; the validated table goes on to
   manage.ensure_table, which does not validate it again.
2. manage.ensure_table then does what the module does (read, diff, check mode, --diff, one
   ``ipvsadm -R`` batch, verifying read), with the same Runner as the module and a
   ConnectionTransport: each call is one remote shell command over the connection, and no
   Python starts on the host (in a UML lab guest, starting any Ansible module costs as much as
   the whole no-op check of a 10,100-entry table, docs/benchmarks.md). A no-op is one command;
   a change is two: the read, then the batch (on stdin) with the read that verifies it.
   Each read sends the declared table's digest (differ.table_digest): the host dumps the table,
   and if its sorted ``-S`` lines have that digest and no threshold is set, it answers UNCHANGED
   instead of sending back 1.3 MB. Otherwise the sorted lines come back with the threshold
   listing less its real servers without thresholds (about 500 KB for 10,100 entries), and are
   diffed as on the host, so an entry that did not land is still named.
3. An async task, or a host where the first read does not work (no ipvsadm, no IPVS, another
   shell), runs the module on the host instead, which does the same work there and reports the
   cause.
"""

from __future__ import annotations

import shlex
import types
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import differ, manage, validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSError, IPVSVerifyError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.runner import Runner
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.specs import table_argument_spec

# Between the outputs of the reads of one remote command; it cannot occur in ipvsadm's output.
MARK = "--- lvs.cluster ipvs_table: thresholds ---"
# After a batch, before the reads: the batch's exit status.
BATCH_DONE = "--- lvs.cluster ipvs_table: batch exit status "
# A line a failed ``ipvsadm -S -n`` adds to what is digested, so that it cannot match; sent back
# in the sorted lines, it makes read_table refuse the read.
READ_FAILED = "--- lvs.cluster ipvs_table: the read failed ---"
# Where the host keeps the sorted ``-S`` lines during one command (see table_command): a tmpfs
# that only root writes, so no other user can plant a file there.
SCRATCH = "/run"
# The whole answer of a read whose table has the expected digest.
UNCHANGED = "--- lvs.cluster ipvs_table: the table has the expected digest ---"
# sbin directories are not always in a non-root PATH; the C locale keeps the output parseable.
ENVIRONMENT = 'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin" LC_ALL=C LANG=C; export PATH LC_ALL LANG; '
# Something on stdin keeps the SSH connection from allocating a terminal (ansible_ssh_use_tty),
# which is slow for a large output: measured 3.0-3.5 s against 0.9-1.4 s for the 1.3 MB read of
# 10,100 entries from a UML guest. The reads do not use it.
NO_TERMINAL = b"\n"
# The first line of every listing (ipvsadm -L -n ...).
LISTING = "IP Virtual Server version"


def split_read(stdout, count=2):
    """The outputs of ``count`` reads run as one remote command, or None if it is not whole.

    The last read is a listing, whose first line is LISTING: without it the output is cut short.
    Should the command run on a terminal after all, its lines end with CRLF.
    """
    parts = stdout.replace("\r\n", "\n").split(MARK + "\n")
    if len(parts) != count or LISTING not in parts[-1]:
        return None
    return tuple(parts)


def validated_arguments(raw):
    """The module's argument_spec applied on the controller, without copying 10,000 real servers.

    ArgumentSpecValidator deep-copies what it validates (measured 0.5-0.7 s for the 10,100-entry
    table on the controller). The real servers are not in the spec anyway (validate.table checks
    them), so the services are validated without them and get them back afterwards.
    """
    services = raw.get("services")
    light = dict(raw)
    if isinstance(services, list) and all(isinstance(item, Mapping) for item in services):
        light["services"] = [{k: v for k, v in item.items() if k != "real_servers"} for item in services]
    checked = ArgumentSpecValidator(table_argument_spec()).validate(light)
    if checked.error_messages:
        raise AnsibleActionFail("Validation of arguments failed:\n%s" % "\n".join(checked.error_messages))
    args = checked.validated_parameters
    if light["services"] is not services:
        for item, original in zip(args["services"], services):
            item["real_servers"] = original.get("real_servers")
    return args


class Unreadable(Exception):
    """The first read failed over the connection: the module, run on the host, does the work and says why."""


class ConnectionTransport:
    """The transport of runner.Runner from the controller: ipvsadm over the task's connection.

    ``execute`` is the action's ``_low_level_execute_command``. Each call is one remote shell
    command; the argv lists become shell words here (shlex.join), and only here.
    """

    on_host = False

    def __init__(self, execute):
        self.execute = execute
        self.sent = False  # whether a command that changes the kernel has gone to the host

    @staticmethod
    def command(argvs):
        """One shell command running each argv with ipvsadm, MARK printed between their outputs."""
        return ENVIRONMENT + (" && echo %s && " % shlex.quote(MARK)).join(shlex.join(["ipvsadm"] + list(args)) for args in argvs)

    def run(self, args, data=None):
        self.sent = True
        done = self.execute(self.command([args]), sudoable=True, in_data=NO_TERMINAL if data is None else data.encode("utf-8"))
        return done.get("rc"), done.get("stdout", ""), done.get("stderr", "")

    def read(self, argvs):
        """All the reads in one remote command (the last one a listing, see split_read).

        A failure is not mapped to an ipvsadm error: before anything changed on the host the
        module does the work instead (Unreadable); after, the change cannot be verified.
        """
        argvs = list(argvs)
        if tuple(argvs[-1][:2]) != ("-L", "-n"):
            raise ValueError("the last read of a remote command must be a listing (-L -n ...), not %s" % " ".join(argvs[-1]))
        done = self.execute(self.command(argvs), sudoable=True, in_data=NO_TERMINAL)
        parts = split_read(done.get("stdout", ""), len(argvs)) if done.get("rc") == 0 else None
        if parts is not None:
            return [(0, part, "") for part in parts]
        if self.sent:
            raise IPVSError("the IPVS table could not be read back after the batch (%s)" % shlex.join(["ipvsadm"] + list(argvs[0])))
        raise Unreadable()

    @staticmethod
    def table_command(argvs, expect, batch=None):
        """One shell command: the batch if any, then both table reads, or UNCHANGED (see read_table).

        The host sorts the ``-S`` lines into a scratch file in SCRATCH (root's tmpfs), digests
        that, and streams the threshold listing through grep, which must find its header line
        and no set threshold. Only when a test fails does the text go back: the sorted lines from
        the file (no second dump), then the listing without the real-server lines whose thresholds
        are both 0 (differ.ZERO_THRESHOLDS_PATTERN: what a real server without a line has), which
        for a table without thresholds is its header and service lines. Each ipvsadm dump of a
        10,100-entry table costs ~0.3 s in a UML guest, and any process ~60 ms, so the no-op starts
        as few as it can; the 1.3 MB of both full texts used to cost a second dump and ~0.3 s more
        on the wire (docs/benchmarks.md). dash has no pipefail: a failed ``-S`` adds READ_FAILED,
        which no digest matches and read_table refuses, and a failed listing has no header. Where
        the scratch file cannot be written, both dumps are sent whole, as before: slower, never wrong.
        A host without sha256sum never matches either and sends the text.
        """
        save, thresholds = (shlex.join(["ipvsadm"] + list(args)) for args in argvs)
        sort = '{ %s || echo %s; } | sort -u -o "$lvs_f" 2>/dev/null' % (save, shlex.quote(READ_FAILED))
        same = '[ "$(sha256sum < "$lvs_f" 2>/dev/null)" = %s ]' % shlex.quote(expect + "  -")
        unset = '[ "$(%s | grep -Ec -e %s -e %s)" = 1 ]' % (thresholds, shlex.quote(differ.SET_THRESHOLD_PATTERN), shlex.quote("^" + LISTING))
        send = 'cat "$lvs_f" && echo %s && %s | grep -Ev %s' % (shlex.quote(MARK), thresholds, shlex.quote(differ.ZERO_THRESHOLDS_PATTERN))
        dump = "%s && echo %s && %s" % (save, shlex.quote(MARK), thresholds)
        reads = 'lvs_f=%s.$$; if %s; then if %s && %s; then echo %s; else %s; fi; rm -f "$lvs_f"; else rm -f "$lvs_f"; %s; fi' % (
            shlex.quote(SCRATCH + "/lvs-cluster-ipvs_table"),
            sort,
            same,
            unset,
            shlex.quote(UNCHANGED),
            send,
            dump,
        )
        if batch is None:
            return ENVIRONMENT + reads
        # The reads' stderr is dropped, so that the command's stderr is the batch's own.
        return ENVIRONMENT + "%s; echo %s$?; { %s; } 2>/dev/null" % (shlex.join(["ipvsadm"] + list(batch[0])), shlex.quote(BATCH_DONE), reads)

    def read_table(self, argvs, expect, batch=None):
        """The batch ``(args, data)`` if given, then the table reads, in one remote command.

        ``reads`` is None when the host answered UNCHANGED. A failed read is handled as in
        ``read``: before the batch the module takes over (Unreadable), after it an error.
        """
        if batch is not None:
            self.sent = True
        data = NO_TERMINAL if batch is None else batch[1].encode("utf-8")
        done = self.execute(self.table_command(argvs, expect, batch), sudoable=True, in_data=data)
        stdout = done.get("stdout", "").replace("\r\n", "\n")
        status = None
        if batch is not None:
            head, found, stdout = stdout.partition(BATCH_DONE)
            code, _newline, stdout = stdout.partition("\n")
            if not found or not code.isdigit():
                raise IPVSError(
                    "no answer from the host after sending a batch of %d line(s) (rc=%s: %s): whether it ran is unknown; "
                    "run the task again, it reads the table and applies what is still missing"
                    % (batch[1].count("\n"), done.get("rc"), " ".join(done.get("stderr", "").split()))
                )
            status = (int(code), head, done.get("stderr", ""))
        if done.get("rc") == 0 and stdout.strip() == UNCHANGED:
            return status, None
        parts = split_read(stdout, len(argvs)) if done.get("rc") == 0 else None
        if parts is not None and READ_FAILED not in parts[0]:
            return status, [(0, part, "") for part in parts]
        if self.sent:
            raise IPVSError("the IPVS table could not be read back after the batch (%s)" % shlex.join(["ipvsadm"] + list(argvs[0])))
        raise Unreadable()


class ActionModule(ActionBase):
    """Validate, read, diff and apply from the controller; the module covers async and odd hosts."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        host = (task_vars or {}).get("inventory_hostname", "the host")
        args = validated_arguments(self._task.args)
        runner = Runner(ConnectionTransport(self._low_level_execute_command))
        try:
            with runner.timed("validate_read_diff"):
                desired = validate.table(args["services"])
        except IPVSError as exc:
            result.update(failed=True, msg="%s (checked on the controller; nothing was run on %s)" % (exc, host))
            return result

        if self._task.async_val and not self._connection.has_native_async:
            return self._run_module(result, task_vars, wrap_async=True)
        task = types.SimpleNamespace(params=args, check_mode=bool(self._task.check_mode), _diff=bool(self._task.diff))
        try:
            result.update(manage.ensure_table(task, runner, desired))
        except Unreadable:
            return self._run_module(result, task_vars, wrap_async=False)
        except IPVSError as exc:
            result.update(failed=True, msg=str(exc))
            if isinstance(exc, IPVSVerifyError):
                result.update(commands=exc.commands, missing=exc.missing)
        result["on_controller"] = True
        return result

    def _run_module(self, result, task_vars, wrap_async):
        """The module on the host does the whole task."""
        result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        result.setdefault("on_controller", False)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
