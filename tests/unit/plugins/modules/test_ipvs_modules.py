# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The six IPVS modules end to end: their argument_spec, AnsibleModule's check mode and diff,
manage.run's exit and failure, on a fake ipvsadm answering with output recorded from a real
kernel (tests_ipvs_data.FakeHost behind the real LocalTransport). No root, no IPVS."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, manage
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.runner import LocalTransport
from ansible_collections.lvs.cluster.plugins.modules import ipvs_info, ipvs_real_server, ipvs_service, ipvs_sync_daemon, ipvs_table, ipvs_timeouts
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.ipvs.tests_ipvs_data import DECLARED, FakeHost, read_fixture

MIXED = {argv.SAVE: read_fixture("mixed_save"), argv.THRESHOLDS: read_fixture("mixed_thresholds")}


def run_module(module, args, host, monkeypatch, capsys, check=False, diff=False):
    """main() of ``module`` with ``args``; ipvsadm is ``host``. Returns the module's JSON result."""
    monkeypatch.setattr(manage, "LocalTransport", lambda _module: LocalTransport(host, spawn=host.spawn))
    with patch_module_args(dict(args, _ansible_check_mode=check, _ansible_diff=diff)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def test_ipvs_service_check_mode_then_apply(monkeypatch, capsys):
    args = {"address": "192.0.2.10", "port": 80, "scheduler": "rr"}
    host = FakeHost(MIXED)
    result = run_module(ipvs_service, args, host, monkeypatch, capsys, check=True, diff=True)
    assert result["changed"] is True and result["commands"] == ["ipvsadm -E -t 192.0.2.10:80 -s rr"] and host.ran == []
    assert result["diff"] == {"before": "-A -t 192.0.2.10:80 -s wrr\n", "after": "-A -t 192.0.2.10:80 -s rr\n"}
    after = {**MIXED, argv.SAVE: read_fixture("mixed_save").replace("-A -t 192.0.2.10:80 -s wrr", "-A -t 192.0.2.10:80 -s rr")}
    host = FakeHost({key: [MIXED[key], after[key]] for key in MIXED})
    result = run_module(ipvs_service, args, host, monkeypatch, capsys)
    assert result["changed"] is True and result["service"]["scheduler"] == "rr" and "failed" not in result
    assert [a for a, _data in host.ran] == [["-E", "-t", "192.0.2.10:80", "-s", "rr"]]
    assert result["invocation"]["module_args"]["scheduler"] == "rr"


def test_ipvs_service_spec_errors_fail_before_ipvsadm(monkeypatch, capsys):
    host = FakeHost(MIXED)
    result = run_module(ipvs_service, {"address": "192.0.2.10", "port": 80, "scheduler": "fastest"}, host, monkeypatch, capsys)
    assert result["failed"] is True and "scheduler" in result["msg"] and host.calls == []


def test_ipvs_real_server_drain(monkeypatch, capsys):
    args = {"service": "tcp/192.0.2.10:80", "address": "198.51.100.11", "weight": 0}
    result = run_module(ipvs_real_server, args, FakeHost(MIXED), monkeypatch, capsys, check=True)
    assert result["changed"] is True and result["commands"] == ["ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 0 -x 0 -y 0"]
    assert result["real_server"]["weight"] == 0


def test_ipvs_table_no_op_does_not_echo_its_services(monkeypatch, capsys):
    result = run_module(ipvs_table, {"services": DECLARED, "purge": True, "timings": True}, FakeHost(MIXED), monkeypatch, capsys)
    assert result["changed"] is False and result["summary"] == {} and result["services_declared"] == 14
    assert result["invocation"]["module_args"]["services"].startswith("14 service(s), 18 real server(s)")
    assert "process" in result["timings"]


def test_ipvs_service_returns_no_timings_by_default(monkeypatch, capsys):
    result = run_module(ipvs_service, {"address": "192.0.2.10", "port": 80, "scheduler": "wrr"}, FakeHost(MIXED), monkeypatch, capsys)
    assert result["changed"] is False and "timings" not in result and result["invocation"]["module_args"]["timings"] is False


def test_ipvs_table_bad_entry_names_it(monkeypatch, capsys):
    services = [{"address": "192.0.2.10", "port": 80, "real_servers": [{"address": "198.51.100.11", "wieght": 5}]}]
    host = FakeHost(MIXED)
    result = run_module(ipvs_table, {"services": services}, host, monkeypatch, capsys)
    assert result["failed"] is True and "services[0].real_servers[0].wieght" in result["msg"] and host.calls == []


def test_ipvs_info(monkeypatch, capsys):
    host = FakeHost(
        {
            **MIXED,
            argv.LIST: read_fixture("mixed_list"),
            argv.STATS: read_fixture("empty_stats_exact"),
            argv.RATE: read_fixture("empty_stats_exact"),
            argv.TIMEOUTS: read_fixture("timeout_set"),
            argv.DAEMONS: read_fixture("daemon_none"),
        }
    )
    result = run_module(ipvs_info, {}, host, monkeypatch, capsys, check=True)
    assert result["changed"] is False and len(result["services"]) == 14
    assert result["timeouts"] == {"tcp": 600, "tcpfin": 60, "udp": 120} and result["sync_daemons"] == []
    assert host.ran == []


def test_ipvs_timeouts_needs_one_value(monkeypatch, capsys):
    result = run_module(ipvs_timeouts, {}, FakeHost(), monkeypatch, capsys)
    assert result["failed"] is True and "tcp, tcpfin, udp" in result["msg"]
    host = FakeHost({argv.TIMEOUTS: [read_fixture("timeout_default"), read_fixture("timeout_set")]})
    result = run_module(ipvs_timeouts, {"tcp": 600, "tcpfin": 60, "udp": 120}, host, monkeypatch, capsys)
    assert result["changed"] is True and result["commands"] == ["ipvsadm --set 600 60 120"]


def test_ipvs_sync_daemon(monkeypatch, capsys):
    result = run_module(ipvs_sync_daemon, {"role": "master"}, FakeHost(), monkeypatch, capsys)
    assert result["failed"] is True and "interface" in result["msg"]
    host = FakeHost({argv.DAEMONS: read_fixture("daemon_master")})
    args = {"role": "master", "interface": "syncif", "syncid": 7}
    result = run_module(ipvs_sync_daemon, args, host, monkeypatch, capsys)
    assert result["changed"] is False and result["sync_daemon"]["syncid"] == 7 and host.ran == []
