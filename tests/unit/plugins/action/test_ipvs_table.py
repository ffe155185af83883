# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of ipvs_table: argument checks without copying the real servers, and the
remote commands, run in a real /bin/sh against recorded ipvsadm output (as a terminal
delivers it over SSH, too): the digest the host computes, the one-command no-op, the batch
with its verifying read, and the fallbacks to the module."""

from __future__ import annotations

import os
import re
import subprocess
import types

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.lvs.cluster.plugins.action.ipvs_table import (
    BATCH_DONE,
    ENVIRONMENT,
    MARK,
    NO_TERMINAL,
    UNCHANGED,
    ActionModule,
    ConnectionTransport,
    split_read,
    validated_arguments,
)
from ansible_collections.lvs.cluster.plugins.action import ipvs_table
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, differ, manage, parser, validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSValidationError
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.ipvs.tests_ipvs_data import DECLARED, PLAIN

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "module_utils", "ipvs", "fixtures")


@pytest.fixture(autouse=True)
def scratch(tmp_path_factory, monkeypatch):
    """The host's scratch directory (SCRATCH, /run on a target), checked empty after each command."""
    path = tmp_path_factory.mktemp("scratch")
    monkeypatch.setattr(ipvs_table, "SCRATCH", str(path))
    return path


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


# --- the action over a host: the remote commands run in a real /bin/sh ------------------------
# ``ipvsadm`` there is a script that prints recorded output (fixtures) and keeps what a batch
# sends; sort, grep and sha256sum are the host's own, as on a target.
FAKE_IPVSADM = """#!/bin/sh
case "$*" in
  "-S -n") [ ! -f "$HOST/fail_save" ] || exit 1; cat "$HOST/save" ;;
  "-L -n --thresholds") [ ! -f "$HOST/fail_thresholds" ] || exit 1; cat "$HOST/thresholds" ;;
  "-R") cat > "$HOST/batch"
        if [ -f "$HOST/after_save" ]; then mv "$HOST/after_save" "$HOST/save"; mv "$HOST/after_thresholds" "$HOST/thresholds"; fi
        [ ! -f "$HOST/batch_stderr" ] || cat "$HOST/batch_stderr" >&2
        exit "$(cat "$HOST/batch_rc" 2>/dev/null || echo 0)" ;;
  *) echo "unexpected: ipvsadm $*" >&2; exit 2 ;;
esac
"""


def without_thresholds(listing):
    """A recorded --thresholds listing with every threshold 0 (column widths kept)."""
    return re.sub(r"(?m)^(\s*-> \S+\s+)(\d+)(\s+)(\d+)", lambda m: m.group(1) + "0".ljust(len(m.group(2))) + m.group(3) + "0".ljust(len(m.group(4))), listing)


class Host:
    """A target's _low_level_execute_command: each command runs in /bin/sh with the fake ipvsadm first in PATH.

    ``kernel`` is (save, thresholds) now; ``after`` what a batch leaves; ``terminal`` answers with
    CRLF as over a pseudo-terminal.
    """

    def __init__(self, tmp_path, kernel, after=None, batch_rc=0, batch_stderr="", terminal=False):
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.dir = tmp_path
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir()
        self.terminal = terminal
        self.calls = []
        self.outputs = []
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "ipvsadm").write_text(FAKE_IPVSADM)
        (bin_dir / "ipvsadm").chmod(0o755)
        self.path = "%s:/usr/bin:/bin" % bin_dir
        self._write("save", "thresholds", kernel)
        if after is not None:
            self._write("after_save", "after_thresholds", after)
        (tmp_path / "batch_rc").write_text(str(batch_rc))
        if batch_stderr:
            (tmp_path / "batch_stderr").write_text(batch_stderr)

    def _write(self, save_name, thresholds_name, texts):
        (self.dir / save_name).write_text(texts[0])
        (self.dir / thresholds_name).write_text(texts[1])

    @property
    def batch(self):
        path = self.dir / "batch"
        return path.read_text() if path.exists() else None

    def __call__(self, cmd, sudoable=True, in_data=None):
        self.calls.append((cmd, sudoable, in_data))
        env = {"PATH": self.path, "HOST": str(self.dir), "TMPDIR": str(self.tmp)}
        proc = subprocess.run(["/bin/sh", "-c", cmd], input=in_data, capture_output=True, env=env, check=False)
        # Nothing is left on the host: the dumps go through pipes, and the scratch file is removed.
        assert list(self.tmp.iterdir()) == []
        scratch = ipvs_table.SCRATCH
        assert not os.path.isdir(scratch) or os.listdir(scratch) == []
        out, err = proc.stdout.decode(), proc.stderr.decode()
        if self.terminal:
            out = out.replace("\n", "\r\n")
        self.outputs.append(out)
        return {"rc": proc.returncode, "stdout": out, "stderr": err}


MIXED = (fixture("mixed_save"), fixture("mixed_thresholds"))
MIXED_PLAIN = (fixture("mixed_save"), without_thresholds(fixture("mixed_thresholds")))
EMPTY = (fixture("empty_save"), fixture("empty_thresholds"))


class Replies:
    """A connection that answers each command with the next reply, for failures no shell gives."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls = []

    def __call__(self, cmd, sudoable=True, in_data=None):
        self.calls.append((cmd, sudoable, in_data))
        return self.replies.pop(0)


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
    assert ConnectionTransport.command([argv.SAVE, argv.THRESHOLDS]) == (
        'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin" LC_ALL=C LANG=C; export PATH LC_ALL LANG; '
        "ipvsadm -S -n && echo '--- lvs.cluster ipvs_table: thresholds ---' && ipvsadm -L -n --thresholds"
    )
    # Quoted by shlex, not pasted: a token with a blank stays one word.
    assert ConnectionTransport.command([("-L", "-n", "a b")]).endswith("ipvsadm -L -n 'a b'")
    command = ConnectionTransport.table_command([argv.SAVE, argv.THRESHOLDS], "0" * 64, (argv.RESTORE, ""))
    assert command.startswith(ENVIRONMENT + "ipvsadm -R; echo '--- lvs.cluster ipvs_table: batch exit status '$?; ")
    # Where the scratch file cannot be written, both dumps go back whole.
    assert command.endswith(
        "else rm -f \"$lvs_f\"; ipvsadm -S -n && echo '--- lvs.cluster ipvs_table: thresholds ---' && ipvsadm -L -n --thresholds; fi; } 2>/dev/null"
    )


def test_the_host_computes_the_declared_digest(tmp_path):
    # The kernel lists services in its own hash order, not the declared one: the digest is of sorted lines.
    lines = fixture("mixed_save").splitlines()
    shuffled = "".join(line + "\n" for line in lines[1::2] + lines[::2])
    host = Host(tmp_path, (shuffled, MIXED_PLAIN[1]))
    done, reads = ConnectionTransport(host).read_table([argv.SAVE, argv.THRESHOLDS], differ.table_digest(validate.table(PLAIN)))
    assert (done, reads) == (None, None) and host.outputs == [UNCHANGED + "\n"]
    # One line less on the host: the text comes back, the -S lines sorted (from the one dump that
    # was digested) and the listing without the real servers whose thresholds are both 0.
    host = Host(tmp_path / "other", ("".join(line + "\n" for line in lines[1:]), MIXED_PLAIN[1]))
    _done, reads = ConnectionTransport(host).read_table([argv.SAVE, argv.THRESHOLDS], differ.table_digest(validate.table(PLAIN)))
    listing = "".join(line + "\n" for line in MIXED_PLAIN[1].splitlines() if not re.match(differ.ZERO_THRESHOLDS_PATTERN, line))
    assert reads == [(0, "".join(line + "\n" for line in sorted(set(lines[1:]))), ""), (0, listing, "")]
    assert listing.count("->") == 1 and listing.startswith("IP Virtual Server version")  # the header's "-> RemoteAddress:Port"


def test_the_listing_keeps_every_real_server_with_a_threshold(tmp_path):
    host = Host(tmp_path, (fixture("empty_save"), MIXED[1]))
    _done, reads = ConnectionTransport(host).read_table([argv.SAVE, argv.THRESHOLDS], "0" * 64)
    full = parser.parse_thresholds(MIXED[1])
    short = parser.parse_thresholds(reads[1][1])
    assert set(short) == set(full)
    set_servers = {(key, server): values for key, servers in full.items() for server, values in servers.items() if values[:2] != (0, 0)}
    assert set_servers and {(key, server): values for key, servers in short.items() for server, values in servers.items()} == set_servers
    # The sorted -S lines (C locale: every "-A" before every "-a") and the short listing parse to
    # the table that the host's own order and the whole listing give.
    host = Host(tmp_path / "mixed", MIXED)
    _done, reads = ConnectionTransport(host).read_table([argv.SAVE, argv.THRESHOLDS], "0" * 64)
    assert reads[0][1] != MIXED[0] and manage.parse_table(reads[0][1], reads[1][1]) == manage.parse_table(*MIXED)


def test_without_a_scratch_file_both_dumps_go_back_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(ipvs_table, "SCRATCH", str(tmp_path / "missing"))
    host = Host(tmp_path, MIXED_PLAIN)
    _done, reads = ConnectionTransport(host).read_table([argv.SAVE, argv.THRESHOLDS], differ.table_digest(validate.table(PLAIN)))
    assert reads == [(0, MIXED_PLAIN[0], ""), (0, MIXED_PLAIN[1], "")]
    # Still correct, only slower: the controller finds the declared table in the text.
    _plugin, result = run_action({"services": PLAIN}, Host(tmp_path / "again", MIXED_PLAIN))
    assert result["changed"] is False and "failed" not in result


def test_no_op_is_one_remote_command_and_nothing_comes_back(tmp_path):
    host = Host(tmp_path, MIXED_PLAIN)
    plugin, result = run_action({"services": PLAIN, "timings": True}, host)
    assert len(host.calls) == 1 and host.calls[0][1:] == (True, NO_TERMINAL)
    assert host.outputs == [UNCHANGED + "\n"]
    assert result["changed"] is False and result["on_controller"] is True and "failed" not in result
    assert result["commands"] == [] and result["summary"] == {} and result["batch"] is False
    assert result["services_declared"] == 14 and result["real_servers_declared"] == 18
    assert set(result["timings"]) == {"read", "validate_read_diff", "apply_and_verify"}
    assert plugin.module_runs == [] and host.batch is None


def test_a_threshold_set_on_the_host_sends_the_text(tmp_path):
    # -S does not print thresholds: with one set, the digest of -S lines says nothing, so the
    # listing comes back and the full diff decides (here: the same thresholds, a no-op).
    host = Host(tmp_path, MIXED, terminal=True)
    _plugin, result = run_action({"services": DECLARED}, host)
    assert len(host.calls) == 1 and MARK in host.outputs[0]
    assert result["changed"] is False and "failed" not in result
    # Declared without them, the host's thresholds are a change.
    host = Host(tmp_path / "again", MIXED)
    _plugin, result = run_action({"services": PLAIN}, host, check_mode=True)
    assert result["changed"] is True and result["summary"] == {"edit_server": 2}


def test_no_timings_unless_asked(tmp_path):
    _plugin, result = run_action({"services": PLAIN}, Host(tmp_path, MIXED_PLAIN))
    assert result["changed"] is False and result["on_controller"] is True and "timings" not in result


def test_empty_table_no_op_takes_the_fast_path(monkeypatch, tmp_path):
    def no_parse(*args):
        raise AssertionError("a matching table is recognised on the host")

    monkeypatch.setattr(manage, "parse_table", no_parse)
    host = Host(tmp_path, EMPTY)
    _plugin, result = run_action({"services": [], "purge": True}, host)
    assert result["changed"] is False and result["on_controller"] is True
    assert host.outputs == [UNCHANGED + "\n"]


def test_the_table_is_validated_once(monkeypatch, tmp_path):
    calls = []
    real = validate.table

    def counted(items, *args, **kwargs):
        calls.append(len(items))
        return real(items, *args, **kwargs)

    monkeypatch.setattr(validate, "table", counted)
    run_action({"services": PLAIN}, Host(tmp_path, MIXED_PLAIN))
    assert calls == [14]


def test_a_change_is_a_read_then_the_batch_with_its_verifying_read(tmp_path):
    host = Host(tmp_path, EMPTY, after=MIXED_PLAIN)
    _plugin, result = run_action({"services": PLAIN, "timings": True}, host, diff=True)
    assert len(host.calls) == 2
    # The first read found the table empty and sent it; the second command ran the batch from
    # its stdin, then found the declared digest: 1.3 MB for a large table, not sent back.
    assert MARK in host.outputs[0]
    assert host.outputs[1] == BATCH_DONE + "0\n" + UNCHANGED + "\n"
    assert host.calls[1][2].decode("utf-8") == host.batch
    assert ["ipvsadm " + line for line in host.batch.splitlines()] == result["commands"]
    assert result["changed"] is True and result["batch"] is True and result["on_controller"] is True
    assert result["summary"] == {"add_service": 14, "add_server": 18}
    assert result["diff"]["before"] == "" and result["diff"]["after"].count("\n") == 32
    assert "apply" in result["timings"] and "failed" not in result


def test_a_change_verified_on_the_text_over_a_terminal(tmp_path):
    # Declared thresholds: the verifying read must bring the text back and parse it.
    host = Host(tmp_path, EMPTY, after=MIXED, terminal=True)
    _plugin, result = run_action({"services": DECLARED}, host)
    assert len(host.calls) == 2 and MARK in host.outputs[1]
    assert result["changed"] is True and "failed" not in result


def test_check_mode_sends_no_batch(tmp_path):
    host = Host(tmp_path, EMPTY, after=MIXED_PLAIN)
    _plugin, result = run_action({"services": PLAIN}, host, check_mode=True)
    assert len(host.calls) == 1 and host.batch is None
    assert result["changed"] is True and len(result["commands"]) == 32 and "diff" not in result


def test_entries_that_did_not_land_are_named(tmp_path):
    host = Host(tmp_path, EMPTY, batch_rc=1, batch_stderr="Memory allocation problem\n")
    _plugin, result = run_action({"services": DECLARED[:1]}, host)
    assert result["failed"] is True and result["on_controller"] is True
    assert result["msg"].startswith("the kernel IPVS table does not match the request after applying 4 command(s)")
    assert result["missing"][0] == "virtual service tcp/192.0.2.10:80 (add service)"
    assert result["missing"][-1] == "ipvsadm -R said: Memory allocation problem"
    assert len(result["commands"]) == 4


def test_a_failed_read_after_the_batch_is_reported_not_retried_on_the_host(tmp_path):
    first = Host(tmp_path, EMPTY)
    remote = Replies(None, {"rc": 1, "stdout": BATCH_DONE + "0\n", "stderr": ""})
    remote.replies[0] = first(ConnectionTransport.table_command([argv.SAVE, argv.THRESHOLDS], "0" * 64), in_data=NO_TERMINAL)
    plugin, result = run_action({"services": DECLARED[:1]}, remote)
    assert result["failed"] is True and result["on_controller"] is True
    assert result["msg"] == "the IPVS table could not be read back after the batch (ipvsadm -S -n)"
    assert plugin.module_runs == []


def test_a_lost_connection_during_the_batch_says_so(tmp_path):
    first = Host(tmp_path, EMPTY)
    remote = Replies(first(ConnectionTransport.table_command([argv.SAVE, argv.THRESHOLDS], "0" * 64), in_data=NO_TERMINAL))
    remote.replies.append({"rc": 255, "stdout": "", "stderr": "Connection reset by peer\n"})
    plugin, result = run_action({"services": DECLARED[:1]}, remote)
    assert result["failed"] is True and plugin.module_runs == []
    assert result["msg"].startswith("no answer from the host after sending a batch of 4 line(s) (rc=255: Connection reset by peer)")


@pytest.mark.parametrize(
    "first",
    [
        {"rc": 127, "stdout": "", "stderr": "ipvsadm: command not found"},
        {"rc": 0, "stdout": fixture("mixed_save"), "stderr": ""},  # cut short
    ],
)
def test_a_failed_first_read_runs_the_module_on_the_host(first):
    remote = Replies(first)
    plugin, result = run_action({"services": DECLARED}, remote)
    assert plugin.module_runs == [False] and plugin.removed == ["/tmp/ansible-tmp-1"]
    assert result["msg"] == "the module ran on the host" and result["on_controller"] is False
    assert len(remote.calls) == 1


@pytest.mark.parametrize("failing", ["fail_save", "fail_thresholds"])
def test_a_failed_read_in_a_pipe_is_never_taken_for_the_declared_table(tmp_path, failing):
    # The empty table's digest is that of no line: a failed -S whose empty output went through
    # the digest would match it, and a failed listing would show no threshold (dash has no pipefail).
    host = Host(tmp_path, EMPTY)
    (tmp_path / failing).write_text("")
    plugin, result = run_action({"services": [], "purge": True}, host)
    assert UNCHANGED not in host.outputs[0] and host.calls
    assert plugin.module_runs == [False] and result["on_controller"] is False


def test_a_host_without_ipvsadm_runs_the_module(tmp_path):
    host = Host(tmp_path, EMPTY)
    host.path = "/usr/bin:/bin"  # no ipvsadm: the shell's own error, rc 127
    plugin, result = run_action({"services": DECLARED}, host)
    assert plugin.module_runs == [False] and result["on_controller"] is False


def test_async_runs_the_module_without_reading():
    remote = Replies()
    plugin, result = run_action({"services": DECLARED}, remote, async_val=60)
    assert plugin.module_runs == [True] and plugin.removed == [] and remote.calls == []
    assert result["on_controller"] is False


def test_bad_entries_fail_on_the_controller():
    remote = Replies()
    _plugin, result = run_action({"services": [{"address": "192.0.2.1", "port": 80, "real_servers": [{"address": "x"}]}]}, remote)
    assert result["failed"] is True and remote.calls == []
    assert result["msg"].endswith("(checked on the controller; nothing was run on dir1)")
    assert "services[0].real_servers[0].address" in result["msg"]


def test_the_last_remote_read_must_be_a_listing():
    with pytest.raises(ValueError):
        ConnectionTransport(Replies()).read([argv.THRESHOLDS, argv.SAVE])
