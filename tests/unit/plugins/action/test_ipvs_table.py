# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of ipvs_table: argument checks without copying the real servers, and the
split of the one remote read (recorded ipvsadm output, as a terminal delivers it over SSH)."""

from __future__ import annotations

import os
import types

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.lvs.cluster.plugins.action.ipvs_table import MARK, NO_TERMINAL, ActionModule, ConnectionTransport, split_read, validated_arguments
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, manage, validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSValidationError
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.ipvs.tests_ipvs_data import DECLARED

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "module_utils", "ipvs", "fixtures")


def fixture(name):
    with open(os.path.join(FIXTURES, name + ".txt"), encoding="utf-8") as handle:
        return handle.read()


def test_service_defaults_and_types_come_from_the_module_spec():
    servers = [{"address": "198.51.100.1", "weight": 5}]
    args = validated_arguments({"services": [{"address": "192.0.2.1", "port": "80", "real_servers": servers}]})
    service = args["services"][0]
    assert args["purge"] is False
    assert service["port"] == 80 and service["protocol"] == "tcp" and service["scheduler"] == "wlc"
    # The real servers are handed back as given (the very same list), for validate.table.
    assert service["real_servers"] is servers


def test_spec_errors_are_reported_before_anything_runs():
    with pytest.raises(AnsibleActionFail) as info:
        validated_arguments({"services": [{"address": "192.0.2.1", "port": 80, "shceduler": "rr"}]})
    assert "shceduler" in str(info.value)
    with pytest.raises(AnsibleActionFail):
        validated_arguments({"services": [{"address": "192.0.2.1", "port": 80}], "purge": "maybe"})
    with pytest.raises(AnsibleActionFail):
        validated_arguments({})


def test_real_server_errors_name_the_entry():
    args = validated_arguments({"services": [{"address": "192.0.2.1", "port": 80, "real_servers": [{"address": "198.51.100.1", "weight": 70000}]}]})
    with pytest.raises(IPVSValidationError) as info:
        validate.table(args["services"])
    assert "services[0].real_servers[0].weight" in str(info.value)


def test_split_read_over_a_terminal():
    save, thresholds = fixture("mixed_save"), fixture("mixed_thresholds")
    stdout = (save + MARK + "\n" + thresholds).replace("\n", "\r\n")
    assert split_read(stdout) == (save, thresholds)
    # An empty table: -S prints nothing.
    assert split_read(MARK + "\n" + fixture("empty_thresholds")) == ("", fixture("empty_thresholds"))


def test_split_read_refuses_a_partial_read():
    assert split_read(fixture("mixed_save")) is None
    assert split_read(fixture("mixed_save") + MARK + "\n") is None


# --- the action over a fake connection ------------------------------------------------------
# The commands as the action sent them before the Runner had a connection transport: the
# remote side (sudo, the shell) must see exactly these.
READ_COMMAND = (
    'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin" LC_ALL=C LANG=C; export PATH LC_ALL LANG; '
    "ipvsadm -S -n && echo '--- lvs.cluster ipvs_table: thresholds ---' && ipvsadm -L -n --thresholds"
)
APPLY_COMMAND = 'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin" LC_ALL=C LANG=C; export PATH LC_ALL LANG; ipvsadm -R'


def dumps(name):
    """What the remote read prints for a recorded table (``empty`` or ``mixed``)."""
    return {"rc": 0, "stdout": fixture(name + "_save") + MARK + "\n" + fixture(name + "_thresholds"), "stderr": ""}


class Remote:
    """_low_level_execute_command of a host: the reads answer in turn (the last repeats), -R succeeds."""

    def __init__(self, *reads, apply=None):
        self.reads = list(reads)
        self.apply = apply or {"rc": 0, "stdout": "", "stderr": ""}
        self.calls = []

    def __call__(self, cmd, sudoable=True, in_data=None):
        self.calls.append((cmd, sudoable, in_data))
        if cmd == APPLY_COMMAND:
            return self.apply
        assert cmd == READ_COMMAND
        return self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]


class Connection:
    has_native_async = False

    def __init__(self):
        self._shell = types.SimpleNamespace(tmpdir="/tmp/ansible-tmp-1")


def run_action(args, remote, check_mode=False, diff=False, async_val=0):
    task = types.SimpleNamespace(args=args, async_val=async_val, check_mode=check_mode, diff=diff, action="lvs.cluster.ipvs_table")
    plugin = ActionModule(task, Connection(), None, None, None)
    plugin.module_runs = []
    plugin.removed = []
    plugin._low_level_execute_command = remote

    def execute_module(task_vars=None, wrap_async=False):
        plugin.module_runs.append(wrap_async)
        return {"changed": False, "msg": "the module ran on the host"}

    plugin._execute_module = execute_module
    plugin._remove_tmp_path = plugin.removed.append
    return plugin, plugin.run(task_vars={"inventory_hostname": "dir1"})


def test_remote_commands_are_the_argv_joined_at_the_last_hop():
    assert ConnectionTransport.command([argv.SAVE, argv.THRESHOLDS]) == READ_COMMAND
    assert ConnectionTransport.command([argv.RESTORE]) == APPLY_COMMAND
    # Quoted by shlex, not pasted: a token with a blank stays one word.
    assert ConnectionTransport.command([("-L", "-n", "a b")]).endswith("ipvsadm -L -n 'a b'")


def test_no_op_is_one_remote_read_with_stdin_given():
    remote = Remote(dumps("mixed"))
    plugin, result = run_action({"services": DECLARED, "timings": True}, remote)
    assert remote.calls == [(READ_COMMAND, True, NO_TERMINAL)]
    assert result["changed"] is False and result["on_controller"] is True and "failed" not in result
    assert result["commands"] == [] and result["summary"] == {} and result["batch"] is False
    assert result["services_declared"] == 14 and result["real_servers_declared"] == 18
    assert set(result["timings"]) == {"read", "validate_read_diff", "apply_and_verify"}
    assert plugin.module_runs == []


def test_no_timings_unless_asked():
    _plugin, result = run_action({"services": DECLARED}, Remote(dumps("mixed")))
    assert result["changed"] is False and result["on_controller"] is True and "timings" not in result


def test_empty_table_no_op_takes_the_fast_path(monkeypatch):
    def no_parse(*args):
        raise AssertionError("a matching table is recognised on the raw text")

    monkeypatch.setattr(manage, "parse_table", no_parse)
    _plugin, result = run_action({"services": [], "purge": True}, Remote(dumps("empty")))
    assert result["changed"] is False and result["on_controller"] is True


def test_the_table_is_validated_once(monkeypatch):
    calls = []
    real = validate.table

    def counted(items, *args, **kwargs):
        calls.append(len(items))
        return real(items, *args, **kwargs)

    monkeypatch.setattr(validate, "table", counted)
    run_action({"services": DECLARED}, Remote(dumps("mixed")))
    assert calls == [14]


def test_a_change_is_one_batch_on_stdin_then_a_verifying_read():
    remote = Remote(dumps("empty"), dumps("mixed"))
    _plugin, result = run_action({"services": DECLARED, "timings": True}, remote, diff=True)
    assert [call[0] for call in remote.calls] == [READ_COMMAND, APPLY_COMMAND, READ_COMMAND]
    script = remote.calls[1][2].decode("utf-8")
    assert ["ipvsadm " + line for line in script.splitlines()] == result["commands"]
    assert result["changed"] is True and result["batch"] is True and result["on_controller"] is True
    assert result["summary"] == {"add_service": 14, "add_server": 18}
    assert result["diff"]["before"] == "" and result["diff"]["after"].count("\n") == 32
    assert "apply" in result["timings"]


def test_check_mode_sends_no_batch():
    remote = Remote(dumps("empty"))
    _plugin, result = run_action({"services": DECLARED}, remote, check_mode=True)
    assert [call[0] for call in remote.calls] == [READ_COMMAND]
    assert result["changed"] is True and len(result["commands"]) == 32 and "diff" not in result


def test_entries_that_did_not_land_are_named():
    remote = Remote(dumps("empty"), apply={"rc": 1, "stdout": "", "stderr": "Memory allocation problem\n"})
    _plugin, result = run_action({"services": DECLARED[:1]}, remote)
    assert result["failed"] is True and result["on_controller"] is True
    assert result["msg"].startswith("the kernel IPVS table does not match the request after applying 4 command(s)")
    assert result["missing"][0] == "virtual service tcp/192.0.2.10:80 (add service)"
    assert result["missing"][-1] == "ipvsadm -R said: Memory allocation problem"
    assert len(result["commands"]) == 4


def test_a_failed_read_after_the_batch_is_reported_not_retried_on_the_host():
    remote = Remote(dumps("empty"), {"rc": 255, "stdout": "", "stderr": "Connection reset"})
    plugin, result = run_action({"services": DECLARED[:1]}, remote)
    assert result["failed"] is True and result["on_controller"] is True
    assert result["msg"] == "the IPVS table could not be read back after the batch (ipvsadm -S -n)"
    assert plugin.module_runs == []


@pytest.mark.parametrize(
    "first",
    [
        {"rc": 127, "stdout": "", "stderr": "ipvsadm: command not found"},
        {"rc": 0, "stdout": fixture("mixed_save"), "stderr": ""},  # cut short
    ],
)
def test_a_failed_first_read_runs_the_module_on_the_host(first):
    remote = Remote(first)
    plugin, result = run_action({"services": DECLARED}, remote)
    assert plugin.module_runs == [False] and plugin.removed == ["/tmp/ansible-tmp-1"]
    assert result["msg"] == "the module ran on the host" and result["on_controller"] is False
    assert len(remote.calls) == 1


def test_async_runs_the_module_without_reading():
    remote = Remote(dumps("mixed"))
    plugin, result = run_action({"services": DECLARED}, remote, async_val=60)
    assert plugin.module_runs == [True] and plugin.removed == [] and remote.calls == []
    assert result["on_controller"] is False


def test_bad_entries_fail_on_the_controller():
    remote = Remote(dumps("mixed"))
    _plugin, result = run_action({"services": [{"address": "192.0.2.1", "port": 80, "real_servers": [{"address": "x"}]}]}, remote)
    assert result["failed"] is True and remote.calls == []
    assert result["msg"].endswith("(checked on the controller; nothing was run on dir1)")
    assert "services[0].real_servers[0].address" in result["msg"]


def test_the_last_remote_read_must_be_a_listing():
    with pytest.raises(ValueError):
        ConnectionTransport(Remote(dumps("mixed"))).read([argv.THRESHOLDS, argv.SAVE])
