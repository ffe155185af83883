# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runner error mapping: what a user sees without ipvsadm or without IPVS in the kernel.

fixtures/no_ipvs_host_stderr.txt is the real output of `ipvsadm -S -n` (rc=2) on this
project's controller, whose kernel has no IPVS. Nothing here programs IPVS.
"""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSCommandError, IPVSUnavailableError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.runner import LocalTransport, Runner


class Host:
    """The two AnsibleModule methods the runner uses, answering like a given host."""

    def __init__(self, binary="/usr/sbin/ipvsadm", rc=0, out="", err=""):
        self.binary = binary
        self.answer = (rc, out, err)
        self.calls = []

    def get_bin_path(self, name, opt_dirs=None):
        # The runner also looks in the sbin directories, which are not always in PATH.
        assert name == "ipvsadm" and "/usr/sbin" in opt_dirs
        return self.binary

    def run_command(self, argv, **kwargs):
        self.calls.append((argv, kwargs))
        return self.answer


def runner_on(host):
    """A Runner whose reads (subprocess, not run_command) answer like ``host`` too."""

    def spawn(argv, **kwargs):
        host.calls.append((argv, kwargs))
        rc, out, err = host.answer
        return subprocess.CompletedProcess(argv, rc, out.encode(), err.encode())

    return Runner(LocalTransport(host, spawn=spawn))


def test_missing_ipvsadm_names_the_package():
    with pytest.raises(IPVSUnavailableError) as info:
        Runner(LocalTransport(Host(binary=None))).read_table()
    assert "ipvsadm was not found" in str(info.value)
    assert "apt-get install ipvsadm" in str(info.value) and "dnf install ipvsadm" in str(info.value)


def test_kernel_without_ipvs_says_load_ip_vs(fixture):
    host = Host(rc=2, err=fixture("no_ipvs_host_stderr"))
    with pytest.raises(IPVSUnavailableError) as info:
        runner_on(host).read_table()
    message = str(info.value)
    assert "the kernel of this host has no IPVS" in message
    assert "Protocol not available" in message
    assert "modprobe ip_vs" in message and "community.general.modprobe" in message
    # argv lists, C locale
    argv, kwargs = host.calls[0]
    assert argv == ["/usr/sbin/ipvsadm", "-S", "-n"]
    assert kwargs["env"]["LC_ALL"] == "C"
    assert kwargs["stdin"] is subprocess.DEVNULL


def test_other_failures_name_the_command():
    with pytest.raises(IPVSCommandError) as info:
        Runner(LocalTransport(Host(rc=1, err="Memory allocation problem\n"))).run(["-L", "--timeout"], entity="IPVS timeouts")
    assert str(info.value) == "IPVS timeouts: ipvsadm -L --timeout failed (rc=1): Memory allocation problem"


def test_reads_return_stdout_and_name_a_failing_read():
    assert runner_on(Host(out="Timeout (tcp tcpfin udp): 900 120 300\n")).read_timeouts().tcp == 900
    with pytest.raises(IPVSCommandError) as info:
        runner_on(Host(rc=1, err="Memory allocation problem\n")).read(["-L", "--daemon"], entity="sync daemons")
    assert str(info.value) == "sync daemons: ipvsadm -L --daemon failed (rc=1): Memory allocation problem"


def test_writes_go_through_run_command_with_the_c_locale():
    host = Host()
    runner_on(host).apply([], batch=True)
    argv, kwargs = host.calls[0]
    assert argv == ["/usr/sbin/ipvsadm", "-R"]
    assert kwargs["environ_update"]["LC_ALL"] == "C"


def test_a_failed_read_stops_before_the_next_one_starts():
    host = Host(rc=1, err="Memory allocation problem\n")
    with pytest.raises(IPVSCommandError) as info:
        runner_on(host).read_text()
    assert str(info.value) == "ipvsadm: ipvsadm -S -n failed (rc=1): Memory allocation problem"
    assert [argv for argv, _kwargs in host.calls] == [["/usr/sbin/ipvsadm", "-S", "-n"]]


def test_a_read_that_cannot_start_names_the_command():
    def spawn(argv, **kwargs):
        raise PermissionError(13, "Permission denied", argv[0])

    with pytest.raises(IPVSCommandError) as info:
        Runner(LocalTransport(Host(), spawn=spawn)).read(["-L", "--daemon"], entity="sync daemons")
    assert str(info.value) == "sync daemons: ipvsadm -L --daemon failed (rc=127): [Errno 13] Permission denied: '/usr/sbin/ipvsadm'"


def test_timings_add_up_over_the_reads(fixture):
    host = Host(out=fixture("empty_thresholds"))
    runner = runner_on(host)
    runner.read_text()
    first = runner.timings["read"]
    runner.read_text()
    assert runner.timings["read"] >= first and list(runner.timings) == ["read"]
    assert len(host.calls) == 4
