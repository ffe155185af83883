# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of lvs.cluster.ipvs_table (documented in plugins/modules/ipvs_table.py).

1. The declaration is validated here, with the module's own argument_spec and validator, so a
   bad entry fails before anything runs on the host.
2. The table is read with one remote shell command (``ipvsadm -S -n`` and
   ``ipvsadm -L -n --thresholds``); the diff, check mode and --diff are computed here by the
   same module_utils code the module uses (manage.ensure_table); a change is sent as one
   ``ipvsadm -R`` batch on stdin and verified by a second read. No Python starts on the host:
   in a UML lab guest, starting any Ansible module costs as much as the whole no-op check of a
   10,100-entry table (docs/benchmarks.md).
3. An async task, or a host where the read does not work (no ipvsadm, no IPVS, another shell),
   runs the module on the host instead, which does the same work there and reports the cause.
"""
from __future__ import annotations

import time
import types
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv as argvlib
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage, validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSError, IPVSVerifyError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.runner import Runner
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.specs import table_argument_spec

# Between the two outputs of the remote read; it cannot occur in ipvsadm's output.
MARK = "--- lvs.cluster ipvs_table: thresholds ---"
# sbin directories are not always in a non-root PATH; the C locale keeps the output parseable.
ENVIRONMENT = "PATH=\"$PATH:/usr/sbin:/sbin:/usr/local/sbin\" LC_ALL=C LANG=C; export PATH LC_ALL LANG; "
READ_COMMAND = ENVIRONMENT + "ipvsadm -S -n && echo '%s' && ipvsadm -L -n --thresholds" % MARK
APPLY_COMMAND = ENVIRONMENT + "ipvsadm -R"
# Something on stdin keeps the SSH connection from allocating a terminal (ansible_ssh_use_tty),
# which is slow for a large output: measured 3.0-3.5 s against 0.9-1.4 s for the 1.3 MB read of
# 10,100 entries from a UML guest. The read does not use it.
NO_TERMINAL = b"\n"


def split_read(stdout):
    """(save text, thresholds text) from the remote read's output, or None if it is not whole.

    Should the command run on a terminal after all, its lines end with CRLF.
    """
    save, sep, thresholds = stdout.replace("\r\n", "\n").partition(MARK + "\n")
    if not sep or "IP Virtual Server version" not in thresholds:
        return None
    return save, thresholds


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


class RemoteRunner:
    """The part of module_utils/ipvs/runner.Runner that ipvs_table uses, over the connection."""

    on_host = False

    def __init__(self, action, first_read):
        self.action = action
        self.commands = []
        self.timings = {"read": first_read[2]}
        self._first = first_read[:2]

    def read_text(self):
        if self._first is not None:
            texts, self._first = self._first, None
            return texts
        start = time.monotonic()
        texts = remote_read(self.action)
        self.timings["read"] = self.timings.get("read", 0.0) + time.monotonic() - start
        if texts is None:
            raise IPVSError("the IPVS table could not be read back after the batch (ipvsadm -S -n)")
        return texts

    def apply(self, ops, batch=True):
        if not batch:
            raise ValueError("the controller applies a table in one batch")
        start = time.monotonic()
        self.commands.append("ipvsadm -R")
        script = argvlib.restore_script(ops).encode("utf-8")
        done = self.action._low_level_execute_command(APPLY_COMMAND, sudoable=True, in_data=script)
        self.timings["apply"] = time.monotonic() - start
        rc, out, err = done.get("rc"), done.get("stdout", ""), done.get("stderr", "")
        Runner.check(["-R"], rc, out, err, "batch of %d operation(s)" % len(ops), check_rc=False)
        return (err or "").strip() if rc != 0 or err else ""


def remote_read(action):
    """Both dumps from one remote command, or None if it failed (the module then reports why)."""
    done = action._low_level_execute_command(READ_COMMAND, sudoable=True, in_data=NO_TERMINAL)
    if done.get("rc") != 0:
        return None
    return split_read(done.get("stdout", ""))


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
        try:
            validate.table(args["services"])
        except IPVSError as exc:
            result.update(failed=True, msg="%s (checked on the controller; nothing was run on %s)" % (exc, host))
            return result

        wrap_async = self._task.async_val and not self._connection.has_native_async
        texts = None
        if not wrap_async:
            start = time.monotonic()
            texts = remote_read(self)
            elapsed = time.monotonic() - start
        if texts is None:
            result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
            result.setdefault("on_controller", False)
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result

        task = types.SimpleNamespace(params=args, check_mode=bool(self._task.check_mode), _diff=bool(self._task.diff))
        runner = RemoteRunner(self, texts + (elapsed,))
        try:
            result.update(manage.ensure_table(task, runner=runner))
        except IPVSError as exc:
            result.update(failed=True, msg=str(exc))
            if isinstance(exc, IPVSVerifyError):
                result.update(commands=exc.commands, missing=exc.missing)
        result["on_controller"] = True
        return result
