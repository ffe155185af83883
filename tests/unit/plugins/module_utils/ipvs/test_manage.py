# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""manage.py: every module's path from read to verify, on a fake host answering with recorded output.

The host is tests_ipvs_data.FakeHost behind the real Runner and LocalTransport: reads are
answered from fixtures/ (recorded from a real kernel), commands that change the kernel are
recorded, and the read after a change answers with the table as it would then be. No root,
no IPVS.
"""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, manage
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSCommandError, IPVSValidationError, IPVSVerifyError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.runner import LocalTransport, Runner
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.specs import real_server_options, service_options, table_argument_spec, timings_option
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.ipvs.tests_ipvs_data import DECLARED, FakeHost, read_fixture

HTTP = "-A -t 192.0.2.10:80 -s wrr\n"


def spec_defaults(spec, given):
    """The params AnsibleModule would hand over (defaults filled in, types converted)."""
    checked = ArgumentSpecValidator(spec).validate(given)
    assert not checked.error_messages, checked.error_messages
    return checked.validated_parameters


def service_params(**given):
    spec = service_options()
    spec.update(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        real_servers=dict(type="list", elements="dict", options=real_server_options()),
        purge_real_servers=dict(type="bool", default=False),
        **timings_option(),
    )
    return spec_defaults(spec, given)


def real_server_params(**given):
    spec = real_server_options()
    spec.update(service=dict(type="str", required=True), state=dict(type="str", default="present", choices=["present", "absent"]), **timings_option())
    return spec_defaults(spec, given)


def table(save, thresholds="empty_thresholds"):
    """The answers to the two reads of the table: fixture names, or ``-S`` text for the save."""
    return {argv.SAVE: read_fixture(save) if save.endswith("_save") else save, argv.THRESHOLDS: read_fixture(thresholds)}


def host_with(tables, **kwargs):
    """A host whose successive table reads give ``tables`` in turn (the last one repeating)."""
    answers = {argv.SAVE: [t[argv.SAVE] for t in tables], argv.THRESHOLDS: [t[argv.THRESHOLDS] for t in tables]}
    answers.update(kwargs.pop("answers", {}))
    return FakeHost(answers, **kwargs)


def call(function, host, *args):
    return function(host, Runner(LocalTransport(host, spawn=host.spawn)), *args)


def changes(host):
    """The commands that changed the kernel, in ipvsadm syntax."""
    return [" ".join(["ipvsadm"] + list(args)) for args, _data in host.ran]


# --- run: the edge -------------------------------------------------------------------------
def test_run_hands_a_local_runner_and_exits_with_the_result():
    host = FakeHost()
    seen = []

    def function(module, runner):
        seen.append(runner.transport.module is module and runner.on_host)
        return {"changed": False}

    with pytest.raises(SystemExit):
        manage.run(host, function)
    assert seen == [True] and host.exited == ("exit_json", {"changed": False})


def test_run_turns_errors_into_fail_json():
    host = FakeHost()

    def verify_fails(module, runner):
        raise IPVSVerifyError(["virtual service tcp/192.0.2.10:80 (add service)"], ["ipvsadm -A -t 192.0.2.10:80 -s wrr"])

    with pytest.raises(SystemExit):
        manage.run(host, verify_fails)
    how, result = host.exited
    assert how == "fail_json" and result["missing"] == ["virtual service tcp/192.0.2.10:80 (add service)"]
    assert result["commands"] == ["ipvsadm -A -t 192.0.2.10:80 -s wrr"] and "did not land" in result["msg"]

    def invalid(module, runner):
        raise IPVSValidationError("port", 0, "must be 1-65535")

    with pytest.raises(SystemExit):
        manage.run(host, invalid)
    assert host.exited == ("fail_json", {"msg": "invalid port=0: must be 1-65535"})


# --- ipvs_service --------------------------------------------------------------------------
def test_service_is_added_with_its_servers_one_call_each_and_verified():
    params = service_params(address="192.0.2.10", port=80, scheduler="wrr", real_servers=[{"address": "198.51.100.11", "weight": 100}], timings=True)
    after = HTTP + "-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 100\n"
    host = host_with([table("empty_save"), table(after)], params=params, diff=True)
    result = call(manage.ensure_service, host)
    assert changes(host) == result["commands"] == ["ipvsadm -A -t 192.0.2.10:80 -s wrr", "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 100"]
    assert result["changed"] is True and result["batch"] is False
    assert result["operations"] == [
        {"action": "add_service", "service": "tcp/192.0.2.10:80"},
        {"action": "add_server", "service": "tcp/192.0.2.10:80", "real_server": "198.51.100.11:80"},
    ]
    assert result["diff"] == {"before": "", "after": "-A -t 192.0.2.10:80 -s wrr\n-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 100\n"}
    # The service as read back after the change.
    assert result["service"]["real_servers"][0]["weight"] == 100
    assert set(result["timings"]) == {"read", "validate_read_diff", "apply", "apply_and_verify", "process"}


def test_service_unchanged_reports_the_kernels_entry_and_runs_nothing():
    params = service_params(address="192.0.2.10", port=80, scheduler="wrr")
    host = host_with([table("mixed_save", "mixed_thresholds")], params=params, diff=True)
    result = call(manage.ensure_service, host)
    assert result["changed"] is False and result["commands"] == [] and host.ran == [] and "diff" not in result
    # Servers are not managed without real_servers: the kernel's three are reported.
    assert [s["address"] for s in result["service"]["real_servers"]] == ["198.51.100.11", "198.51.100.12", "198.51.100.13"]
    assert result["service"]["real_servers"][1]["upper_threshold"] == 500


def test_service_with_more_than_eight_changes_goes_in_one_batch():
    servers = [{"address": "198.51.100.%d" % i} for i in range(1, 10)]
    params = service_params(address="192.0.2.10", port=80, scheduler="wrr", real_servers=servers)
    after = HTTP + "".join("-a -t 192.0.2.10:80 -r 198.51.100.%d:80 -g -w 1\n" % i for i in range(1, 10))
    host = host_with([table("empty_save"), table(after)], params=params)
    result = call(manage.ensure_service, host)
    assert result["batch"] is True and len(result["commands"]) == 10
    assert changes(host) == ["ipvsadm -R"]
    assert host.ran[0][1] == "".join(line[len("ipvsadm ") :] + "\n" for line in result["commands"])


def test_service_check_mode_reports_it_as_it_would_be():
    params = service_params(address="192.0.2.10", port=80, scheduler="rr", timings=True)
    host = host_with([table("mixed_save", "mixed_thresholds")], params=params, check_mode=True)
    result = call(manage.ensure_service, host)
    assert result["changed"] is True and host.ran == []
    assert result["commands"] == ["ipvsadm -E -t 192.0.2.10:80 -s rr"]
    assert result["service"]["scheduler"] == "rr" and len(result["service"]["real_servers"]) == 3
    assert "apply" not in result["timings"]


def test_service_purge_removes_undeclared_servers():
    params = service_params(address="192.0.2.10", port=80, scheduler="wrr", purge_real_servers=True, real_servers=[{"address": "198.51.100.11", "weight": 100}])
    host = host_with([table("mixed_save", "mixed_thresholds"), table(HTTP + "-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 100\n")], params=params)
    result = call(manage.ensure_service, host)
    assert result["commands"] == ["ipvsadm -d -t 192.0.2.10:80 -r 198.51.100.12:80", "ipvsadm -d -t 192.0.2.10:80 -r 198.51.100.13:8080"]


def test_service_purge_needs_the_list_to_keep():
    host = FakeHost(params=service_params(address="192.0.2.10", port=80, purge_real_servers=True))
    with pytest.raises(IPVSValidationError) as info:
        call(manage.ensure_service, host)
    assert "needs real_servers" in str(info.value) and host.calls == []


def test_service_absent():
    params = service_params(address="192.0.2.10", port=443, state="absent")
    host = host_with([table("mixed_save", "mixed_thresholds"), table("empty_save")], params=params)
    result = call(manage.ensure_service, host)
    assert result["commands"] == ["ipvsadm -D -t 192.0.2.10:443"] and result["service"] is None
    # Already absent: nothing to do.
    host = host_with([table("empty_save")], params=params)
    result = call(manage.ensure_service, host)
    assert result["changed"] is False and result["service"] is None and host.ran == []


def test_service_that_did_not_land_is_named():
    params = service_params(address="192.0.2.10", port=80, scheduler="wrr")
    host = host_with([table("empty_save")], params=params)
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_service, host)
    assert info.value.missing == ["virtual service tcp/192.0.2.10:80 (add service)"]


def test_service_a_failing_call_names_what_was_already_applied():
    servers = [{"address": "198.51.100.11"}, {"address": "198.51.100.12"}]
    params = service_params(address="192.0.2.10", port=80, real_servers=servers)
    failing = ("-a", "-t", "192.0.2.10:80", "-r", "198.51.100.12:80", "-g", "-w", "1")
    host = host_with([table("empty_save")], params=params, answers={failing: (2, "", "Memory allocation problem\n")})
    with pytest.raises(IPVSCommandError) as info:
        call(manage.ensure_service, host)
    assert str(info.value) == (
        "real server 198.51.100.12:80 of tcp/192.0.2.10:80: ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.12:80 "
        "-g -w 1 failed (rc=2): Memory allocation problem (already applied before the failure: "
        "ipvsadm -A -t 192.0.2.10:80 -s wlc; ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1)"
    )


# --- ipvs_real_server ----------------------------------------------------------------------
def test_real_server_edit_in_place():
    params = real_server_params(service="tcp/192.0.2.10:80", address="198.51.100.11", weight=0)
    after = read_fixture("mixed_save").replace("-r 198.51.100.11:80 -g -w 100", "-r 198.51.100.11:80 -g -w 0")
    host = host_with([table("mixed_save", "mixed_thresholds"), table(after, "mixed_thresholds")], params=params)
    result = call(manage.ensure_real_server, host)
    assert result["commands"] == ["ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 0 -x 0 -y 0"]
    assert result["operations"] == [{"action": "edit_server", "service": "tcp/192.0.2.10:80", "real_server": "198.51.100.11:80"}]
    assert result["real_server"]["weight"] == 0 and result["batch"] is False


def test_real_server_absent_takes_the_port_of_the_service_or_0_for_fwmark():
    params = real_server_params(service="tcp/192.0.2.10:443", address="198.51.100.11", state="absent")
    after = read_fixture("mixed_save").replace("-a -t 192.0.2.10:443 -r 198.51.100.11:443 -g -w 1\n", "")
    host = host_with([table("mixed_save", "mixed_thresholds"), table(after, "mixed_thresholds")], params=params)
    result = call(manage.ensure_real_server, host)
    assert result["commands"] == ["ipvsadm -d -t 192.0.2.10:443 -r 198.51.100.11:443"] and result["real_server"] is None
    params = real_server_params(service="fwmark/10", address="203.0.113.25", state="absent")
    host = host_with([table("mixed_save", "mixed_thresholds")], params=params, check_mode=True)
    assert call(manage.ensure_real_server, host)["commands"] == ["ipvsadm -d -f 10 -r 203.0.113.25:0"]
    assert host.ran == []


def test_real_server_of_a_missing_service():
    params = real_server_params(service="tcp/192.0.2.99:80", address="198.51.100.11", state="absent")
    host = host_with([table("mixed_save", "mixed_thresholds")], params=params)
    nothing = {"changed": False, "commands": [], "operations": [], "batch": False, "real_server": None}
    assert call(manage.ensure_real_server, host) == nothing
    host.params = real_server_params(service="tcp/192.0.2.99:80", address="198.51.100.11")
    with pytest.raises(IPVSValidationError) as info:
        call(manage.ensure_real_server, host)
    assert "this virtual service does not exist on the host" in str(info.value)


def test_real_server_whose_service_vanished_before_the_check():
    params = real_server_params(service="tcp/192.0.2.10:80", address="198.51.100.14")
    host = host_with([table("mixed_save", "mixed_thresholds"), table("empty_save")], params=params)
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_real_server, host)
    assert info.value.missing == ["virtual service tcp/192.0.2.10:80 (add service)"]


# --- ipvs_table ----------------------------------------------------------------------------
def table_params(services, purge=False, **given):
    return spec_defaults(table_argument_spec(), dict(given, services=services, purge=purge))


def test_table_no_op_is_one_read():
    host = host_with([table("mixed_save", "mixed_thresholds")], params=table_params(DECLARED, purge=True, timings=True))
    result = call(manage.ensure_table, host)
    assert result["changed"] is False and result["commands"] == [] and result["summary"] == {} and host.ran == []
    assert [c[1:] for c in host.calls] == [list(argv.SAVE), list(argv.THRESHOLDS)]
    assert "operations" not in result and result["services_declared"] == 14 and result["real_servers_declared"] == 18
    echoed = "14 service(s), 18 real server(s): not echoed, see services_declared"
    assert result["invocation"] == {"module_args": {"purge": True, "services": echoed}}
    assert "process" in result["timings"]


def test_timings_only_when_the_task_asks_for_them():
    mixed = table("mixed_save", "mixed_thresholds")
    service = service_params(address="192.0.2.10", port=80, scheduler="wrr")
    server = real_server_params(service="tcp/192.0.2.10:80", address="198.51.100.11", weight=0)
    for function, params in ((manage.ensure_service, service), (manage.ensure_real_server, server), (manage.ensure_table, table_params(DECLARED, purge=True))):
        assert params["timings"] is False
        result = call(function, host_with([mixed], params=params, check_mode=True))
        assert "timings" not in result, function.__name__
    result = call(manage.ensure_real_server, host_with([mixed], params=dict(server, timings=True), check_mode=True))
    assert set(result["timings"]) == {"read", "apply_and_verify", "process"}


def test_table_from_empty_is_one_batch_and_a_verifying_read():
    host = host_with([table("empty_save"), table("mixed_save", "mixed_thresholds")], params=table_params(DECLARED), diff=True)
    result = call(manage.ensure_table, host)
    assert changes(host) == ["ipvsadm -R"] and result["batch"] is True
    assert result["summary"] == {"add_service": 14, "add_server": 18}
    assert host.ran[0][1].count("\n") == len(result["commands"]) == 32
    assert result["diff"]["after"].count("\n") == 32


def test_table_purge_in_check_mode():
    host = host_with([table("mixed_save", "mixed_thresholds")], params=table_params(DECLARED[:1], purge=True), check_mode=True)
    result = call(manage.ensure_table, host)
    assert result["changed"] is True and host.ran == [] and result["summary"] == {"delete_service": 13}


def test_table_entries_that_did_not_land_and_what_ipvsadm_said():
    host = host_with([table("empty_save")], params=table_params(DECLARED[:1]), answers={argv.RESTORE: (0, "", "Memory allocation problem\n")})
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_table, host)
    assert info.value.missing[-1] == "ipvsadm -R said: Memory allocation problem"
    assert len(info.value.missing) == 5 and len(info.value.commands) == 4


def test_table_uses_the_desired_table_it_is_given():
    host = host_with([table("empty_save")], params=table_params([{"address": "192.0.2.1", "port": 80}]), check_mode=True)
    desired = manage.validate.table(DECLARED)
    result = call(manage.ensure_table, host, desired)
    assert result["services_declared"] == 14 and result["summary"]["add_service"] == 14


def test_table_bad_entry_fails_before_any_read():
    servers = [{"address": "198.51.100.1", "weight": 70000}]
    host = FakeHost(params=table_params([{"address": "192.0.2.1", "port": 80, "real_servers": servers}]))
    with pytest.raises(IPVSValidationError):
        call(manage.ensure_table, host)
    assert host.calls == []


# --- ipvs_info -----------------------------------------------------------------------------
def info_answers():
    return {
        argv.SAVE: read_fixture("traffic_save"),
        argv.THRESHOLDS: read_fixture("empty_thresholds"),
        argv.LIST: read_fixture("traffic_list"),
        argv.STATS: read_fixture("traffic_stats_exact"),
        argv.RATE: read_fixture("traffic_rate_exact"),
        argv.TIMEOUTS: read_fixture("timeout_default"),
        argv.DAEMONS: read_fixture("daemon_both"),
    }


def test_info_with_counters_timeouts_and_daemons():
    host = FakeHost(info_answers(), params={"service": None, "counters": True})
    result = call(manage.gather_info, host)
    assert result["changed"] is False and result["ipvs"]["version"] == "1.2.1"
    tcp = result["services"][0]
    assert tcp["name"] == "tcp/192.0.2.100:9000" and tcp["stats"]["inbytes"] == 167928918 and tcp["rates"]["inbps"] == 20991115
    server = tcp["real_servers"][0]
    assert server["name"] == "198.51.100.100:9000" and server["forward"] == "Masq" and server["inactive_conns"] == 51
    assert server["stats"]["conns"] == 51
    assert result["timeouts"] == {"tcp": 900, "tcpfin": 120, "udp": 300}
    assert [d["role"] for d in result["sync_daemons"]] == ["master", "backup"]
    assert host.ran == []


def test_info_of_one_service_without_counters():
    host = FakeHost(info_answers(), params={"service": "udp/192.0.2.100:9001", "counters": False})
    result = call(manage.gather_info, host)
    assert [s["name"] for s in result["services"]] == ["udp/192.0.2.100:9001"]
    assert "stats" not in result["services"][0] and "timeouts" not in result and "sync_daemons" not in result
    assert [c[1:] for c in host.calls] == [list(argv.SAVE), list(argv.THRESHOLDS), list(argv.LIST)]


# --- ipvs_timeouts -------------------------------------------------------------------------
def test_timeouts_set_and_verified():
    host = FakeHost({argv.TIMEOUTS: [read_fixture("timeout_default"), read_fixture("timeout_set")]}, params={"tcp": 600, "tcpfin": 60, "udp": 120}, diff=True)
    result = call(manage.ensure_timeouts, host)
    assert changes(host) == result["commands"] == ["ipvsadm --set 600 60 120"]
    assert result["timeouts"] == {"tcp": 600, "tcpfin": 60, "udp": 120}
    assert result["diff"] == {"before": "tcp: 900\ntcpfin: 120\nudp: 300\n", "after": "tcp: 600\ntcpfin: 60\nudp: 120\n"}


def test_timeouts_unchanged_check_mode_and_not_taken():
    host = FakeHost({argv.TIMEOUTS: read_fixture("timeout_default")}, params={"tcp": 900, "tcpfin": None, "udp": None})
    assert call(manage.ensure_timeouts, host) == {"changed": False, "commands": [], "timeouts": {"tcp": 900, "tcpfin": 120, "udp": 300}}
    host = FakeHost({argv.TIMEOUTS: read_fixture("timeout_default")}, params={"tcp": 600}, check_mode=True)
    result = call(manage.ensure_timeouts, host)
    assert result["changed"] is True and host.ran == [] and result["timeouts"]["tcp"] == 600
    host = FakeHost({argv.TIMEOUTS: read_fixture("timeout_default")}, params={"udp": 120})
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_timeouts, host)
    assert info.value.missing == ["timeout udp is 300, not 120"]


# --- ipvs_sync_daemon ----------------------------------------------------------------------
def daemon_params(**given):
    params = {
        "state": "started",
        "role": "master",
        "interface": "syncif",
        "syncid": 7,
        "sync_maxlen": None,
        "mcast_group": None,
        "mcast_port": None,
        "mcast_ttl": None,
    }
    params.update(given)
    return params


def test_sync_daemon_started_and_verified():
    host = FakeHost({argv.DAEMONS: [read_fixture("daemon_none"), read_fixture("daemon_master")]}, params=daemon_params(), diff=True)
    result = call(manage.ensure_sync_daemon, host)
    assert changes(host) == result["commands"] == ["ipvsadm --start-daemon master --mcast-interface syncif --syncid 7"]
    assert result["sync_daemon"]["mcast_group"] == "224.0.0.81"
    assert result["diff"] == {"before": "", "after": "mcast_interface: syncif\nrole: master\nsyncid: 7\n"}


def test_sync_daemon_already_matching_or_restarted_with_new_options():
    host = FakeHost({argv.DAEMONS: read_fixture("daemon_both")}, params=daemon_params(mcast_port=8848))
    result = call(manage.ensure_sync_daemon, host)
    assert result["changed"] is False and host.ran == [] and result["sync_daemon"]["syncid"] == 7
    host = FakeHost({argv.DAEMONS: read_fixture("daemon_both")}, params=daemon_params(role="backup", syncid=10), check_mode=True)
    result = call(manage.ensure_sync_daemon, host)
    assert result["commands"] == ["ipvsadm --stop-daemon backup", "ipvsadm --start-daemon backup --mcast-interface syncif --syncid 10"]
    assert host.ran == [] and result["sync_daemon"]["syncid"] == 10


def test_sync_daemon_stopped():
    host = FakeHost({argv.DAEMONS: [read_fixture("daemon_both"), read_fixture("daemon_master")]}, params=daemon_params(state="stopped", role="backup"))
    result = call(manage.ensure_sync_daemon, host)
    assert changes(host) == ["ipvsadm --stop-daemon backup"] and result["sync_daemon"] is None
    host = FakeHost({argv.DAEMONS: read_fixture("daemon_both")}, params=daemon_params(state="stopped", role="backup"))
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_sync_daemon, host)
    assert info.value.missing == ["the backup sync daemon is still running"]


def test_sync_daemon_that_did_not_start_as_asked():
    host = FakeHost({argv.DAEMONS: [read_fixture("daemon_none"), read_fixture("daemon_master")]}, params=daemon_params(syncid=8))
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_sync_daemon, host)
    assert info.value.missing[0].startswith("the master sync daemon is running with ")
    host = FakeHost({argv.DAEMONS: read_fixture("daemon_none")}, params=daemon_params())
    with pytest.raises(IPVSVerifyError) as info:
        call(manage.ensure_sync_daemon, host)
    assert info.value.missing == ["the master sync daemon is not running"]


# --- ipvs_info: connections and the drain wait ----------------------------------------------
def conn_answers(lists):
    answers = info_answers()
    answers.update({argv.SAVE: read_fixture("traffic_save"), argv.LIST: lists, argv.CONNECTIONS: read_fixture("traffic_conns")})
    return answers


class Clock:
    """time.monotonic and time.sleep for the wait: each sleep moves the clock on."""

    def __init__(self):
        self.now = 100.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture()
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(manage, "_monotonic", fake.monotonic)
    monkeypatch.setattr(manage, "_sleep", fake.sleep)
    return fake


def test_info_lists_the_connection_entries_of_the_real_servers():
    host = FakeHost(
        conn_answers(read_fixture("traffic_conns_list")),
        params={"service": "tcp/192.0.2.100:9000", "counters": False, "connections": True, "real_servers": ["198.51.100.100:9000"]},
    )
    result = call(manage.gather_info, host)
    entries = result["connections"]
    # Recorded: one held connection to this service, and its 14 TIME_WAIT entries of the 51 closed ones shown.
    assert [e["client"] for e in entries if e["active"]] == ["203.0.113.2:50012"]
    assert {e["virtual"] for e in entries} == {"192.0.2.100:9000"} and not any(e["template"] for e in entries)
    assert "wait" not in result and "open_for_at_least" not in entries[0]


def test_wait_returns_at_once_when_already_drained(clock):
    host = FakeHost(conn_answers(read_fixture("traffic_list")), params={"counters": False, "wait_active_at_most": 0, "real_servers": ["198.51.100.100:9000"]})
    result = call(manage.gather_info, host)
    assert result["wait"] == {"active": 0, "at_most": 0, "waited": 0.0, "polls": 1, "timed_out": False, "timeout": 300}
    assert clock.slept == []


def test_wait_polls_until_the_active_connections_end(clock):
    held, ended = read_fixture("traffic_conns_list"), read_fixture("traffic_list")
    host = FakeHost(
        conn_answers([held, held, held, ended]), params={"counters": False, "wait_active_at_most": 0, "wait_sleep": 2, "real_servers": ["198.51.100.100:9000"]}
    )
    result = call(manage.gather_info, host)
    assert result["wait"]["polls"] == 4 and result["wait"]["waited"] == 6.0 and not result["wait"]["timed_out"]
    assert clock.slept == [2, 2, 2]


def test_wait_times_out_and_says_what_is_still_open_and_for_how_long(clock):
    host = FakeHost(
        conn_answers(read_fixture("traffic_conns_list")),
        params={"counters": False, "connections": True, "wait_active_at_most": 0, "wait_timeout": 5, "real_servers": ["198.51.100.100:9000"]},
    )
    result = call(manage.gather_info, host)
    # Both held connections (to :9000 and to the persistent :9002 on the same real server).
    assert result["wait"] == {"active": 2, "at_most": 0, "waited": 5.0, "polls": 6, "timed_out": True, "timeout": 5}
    still = [(e["client"], e["virtual"], e["open_for_at_least"]) for e in result["connections"] if e["active"]]
    assert still == [("203.0.113.2:54420", "192.0.2.100:9002", 5.0), ("203.0.113.2:50012", "192.0.2.100:9000", 5.0)]
    # The counters are read once per poll, the connection entries once at each end.
    assert sum(1 for c in host.calls if tuple(c[1:]) == argv.CONNECTIONS) == 2


def test_wait_for_other_real_servers_ignores_these(clock):
    host = FakeHost(
        conn_answers(read_fixture("traffic_conns_list")), params={"counters": False, "wait_active_at_most": 0, "real_servers": ["[2001:db8::21]:80"]}
    )
    result = call(manage.gather_info, host)
    assert result["wait"]["active"] == 0 and result["services"][0]["real_servers"] == []


@pytest.mark.parametrize("bad", ["198.51.100.100", "2001:db8::1:80", "host.example:80", "[2001:db8::1]"])
def test_real_servers_must_be_address_and_port(bad):
    host = FakeHost(conn_answers(read_fixture("traffic_list")), params={"counters": False, "real_servers": [bad]})
    with pytest.raises(IPVSValidationError):
        call(manage.gather_info, host)
    assert host.calls == []
