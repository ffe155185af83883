# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lvs-metrics collector (roles/monitoring/files/usr/local/lib/lvs-metrics/lvs_metrics.py).

Inputs are recorded: keepalived 2.2.7's JSON dumps from two real keepalived processes in
network namespaces (fixtures/README.md), the ipvsadm outputs the ipvs parser's tests use
(recorded on a 6.1 kernel), and the /proc/net/ip_vs_conn_sync layout. The exposition text is
checked by promtool's own linter.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess

import pytest

HERE = os.path.dirname(__file__)
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
FIXTURES = os.path.join(HERE, "fixtures")
IPVS_FIXTURES = os.path.join(REPO, "tests", "unit", "plugins", "module_utils", "ipvs", "fixtures")
COLLECTOR = os.path.join(REPO, "roles", "monitoring", "files", "usr", "local", "lib", "lvs-metrics", "lvs_metrics.py")

_spec = importlib.util.spec_from_file_location("lvs_metrics", COLLECTOR)
lvs_metrics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lvs_metrics)


def fixture(name, where=FIXTURES):
    with open(os.path.join(where, name), encoding="utf-8") as handle:
        return handle.read()


def dump(name):
    return json.loads(fixture("keepalived_json_%s.json" % name))


def values(samples, name):
    """{frozenset(labels): value} of one metric."""
    return dict((frozenset(labels.items()), value) for n, labels, value in samples if n == name)


def state_of(samples, instance):
    current = [dict(k)["state"] for k, v in values(samples, "lvs_vrrp_state").items() if dict(k)["vrrp_instance"] == instance and v == 1]
    assert len(current) == 1, current
    return current[0]


def by_instance(samples, name):
    return dict((dict(k)["vrrp_instance"], v) for k, v in values(samples, name).items())


def test_steady_dump_one_master_one_backup():
    samples = lvs_metrics.vrrp_samples(dump("steady"))
    assert state_of(samples, "VI_web") == "MASTER"
    assert state_of(samples, "VI_dns") == "BACKUP"
    assert by_instance(samples, "lvs_vrrp_priority") == {"VI_web": 150, "VI_dns": 100}
    assert by_instance(samples, "lvs_vrrp_become_master_total") == {"VI_web": 1, "VI_dns": 0}
    assert by_instance(samples, "lvs_vrrp_vips_set") == {"VI_web": 1, "VI_dns": 0}
    assert by_instance(samples, "lvs_vrrp_last_transition_timestamp_seconds")["VI_web"] == 1796186369.704478
    labels = [dict(k) for k in values(samples, "lvs_vrrp_priority")]
    assert {"vrrp_instance": "VI_web", "vrid": "51", "interface": "k13a"} in labels
    # Every instance reports every state, so a sum over directors is 0, not absent, when none is MASTER.
    assert len(values(samples, "lvs_vrrp_state")) == 2 * len(lvs_metrics.STATE_NAMES)


def test_failover_counts_a_transition_and_moves_its_time():
    before = lvs_metrics.vrrp_samples(dump("steady"))
    after = lvs_metrics.vrrp_samples(dump("failover"))
    assert state_of(after, "VI_dns") == "MASTER"
    assert by_instance(after, "lvs_vrrp_become_master_total")["VI_dns"] == 1
    assert (
        by_instance(after, "lvs_vrrp_last_transition_timestamp_seconds")["VI_dns"] > by_instance(before, "lvs_vrrp_last_transition_timestamp_seconds")["VI_dns"]
    )


def test_interface_down_is_fault_and_releases_master():
    samples = lvs_metrics.vrrp_samples(dump("fault"))
    assert state_of(samples, "VI_web") == "FAULT"
    assert state_of(samples, "VI_dns") == "FAULT"
    assert by_instance(samples, "lvs_vrrp_release_master_total") == {"VI_web": 1, "VI_dns": 1}


def test_unknown_state_code_reports_no_known_state():
    entry = dump("steady")[:1]
    entry[0]["data"]["state"] = 42
    samples = lvs_metrics.vrrp_samples(entry)
    assert sum(values(samples, "lvs_vrrp_state").values()) == 0


def test_the_vrrp_password_in_the_dump_never_reaches_the_textfile():
    raw = dump("steady")
    assert raw[0]["data"]["auth_data"] == "s3cretpw"  # keepalived 2.2.7 dumps it in clear
    text = lvs_metrics.render(lvs_metrics.vrrp_samples(raw))
    assert "s3cretpw" not in text and "auth" not in text


@pytest.mark.parametrize("name, master, backup", [("daemon_both.txt", 1, 1), ("daemon_master.txt", 1, 0), ("daemon_none.txt", 0, 0)])
def test_sync_daemons_from_recorded_ipvsadm(name, master, backup):
    daemons = lvs_metrics.ipvs_parser.parse_daemons(fixture(name, IPVS_FIXTURES))
    samples = lvs_metrics.sync_daemon_samples(daemons, expected=True)
    up = dict((dict(k)["role"], v) for k, v in values(samples, "lvs_ipvs_sync_daemon_up").items())
    assert up == {"master": master, "backup": backup}
    assert values(samples, "lvs_ipvs_sync_daemon_expected") == {frozenset(): 1}
    if master:
        info = [dict(k) for k in values(samples, "lvs_ipvs_sync_daemon_info")]
        assert {"role": "master", "interface": "syncif", "syncid": "7"} in info


def test_connection_table_by_origin():
    counts = lvs_metrics.count_connections(fixture("ip_vs_conn_sync.txt").splitlines())
    assert counts == {"local": 3, "sync": 3}
    assert lvs_metrics.count_connections(fixture("ip_vs_conn_sync_empty.txt").splitlines()) == {"local": 0, "sync": 0}


SERVICES = [
    {"name": "web", "protocol": "tcp", "address": "192.0.2.10", "port": 80, "quorum": 100, "real_servers": 3},
    {
        "name": "web-sorry",
        "protocol": "tcp",
        "address": "192.0.2.10",
        "port": 80,
        "quorum": 1,
        "real_servers": 2,
        "sorry_server": {"address": "198.51.100.13", "port": 8080},
    },
    {"name": "v6", "protocol": "tcp", "address": "2001:0db8::10", "port": 443, "family": "ipv6", "quorum": 20, "real_servers": 3},
    {"name": "gue", "protocol": "fwmark", "fwmark": 10, "quorum": 1, "real_servers": 5},
    {"name": "gone", "protocol": "udp", "address": "192.0.2.99", "port": 53, "quorum": 1, "real_servers": 2},
]


def test_services_against_the_recorded_ipvs_table():
    table = lvs_metrics.ipvs_parser.parse_save(fixture("mixed_save.txt", IPVS_FIXTURES))
    samples = lvs_metrics.service_samples(SERVICES, table)

    def metric(name):
        return dict((dict(k)["service"], v) for k, v in values(samples, name).items())

    # web: weights 100, 0 (not live) and 5.
    assert metric("lvs_service_live_real_servers") == {"web": 2, "web-sorry": 1, "v6": 3, "gue": 5, "gone": 0}
    assert metric("lvs_service_live_weight") == {"web": 105, "web-sorry": 100, "v6": 11, "gue": 5, "gone": 0}
    assert metric("lvs_service_sorry_server_active") == {"web": 0, "web-sorry": 1, "v6": 0, "gue": 0, "gone": 0}
    assert metric("lvs_service_in_ipvs") == {"web": 1, "web-sorry": 1, "v6": 1, "gue": 1, "gone": 0}
    assert metric("lvs_service_quorum")["web"] == 100


def test_render_passes_promtool_lint():
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus (scripts/apt-packages.txt)"
    daemons = lvs_metrics.ipvs_parser.parse_daemons(fixture("daemon_both.txt", IPVS_FIXTURES))
    table = lvs_metrics.ipvs_parser.parse_save(fixture("mixed_save.txt", IPVS_FIXTURES))
    samples = (
        lvs_metrics.vrrp_samples(dump("steady"))
        + lvs_metrics.sync_daemon_samples(daemons, True)
        + lvs_metrics.connection_samples({"local": 3, "sync": 3})
        + lvs_metrics.service_samples(SERVICES, table)
        + [("lvs_keepalived_up", {}, 1), ("lvs_metrics_source_up", {"source": "keepalived"}, 1)]
    )
    text = lvs_metrics.render(samples)
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False)
    # promtool check metrics exits 1 on lint problems and prints them.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
    assert 'lvs_vrrp_state{interface="k13a",state="MASTER",vrid="51",vrrp_instance="VI_web"} 1\n' in text
    assert "# TYPE lvs_vrrp_become_master_total counter\n" in text


def test_render_refuses_a_metric_without_help():
    with pytest.raises(ValueError, match="no HELP"):
        lvs_metrics.render([("lvs_nope", {}, 1)])


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "lvs-metrics.prom"
    target.write_text("old\n")
    lvs_metrics.write_atomic(str(target), "new 1\n")
    assert target.read_text() == "new 1\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lvs-metrics.prom"]


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "lvs-metrics.prom"
    target.write_text("old\n")
    with pytest.raises(TypeError):
        lvs_metrics.write_atomic(str(target), None)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lvs-metrics.prom"]


class FakeKeepalived:
    """Answers the signal as keepalived 2.2.7 does: the file is renamed in place before it is
    written, so the first reads find it empty, then half written, then whole."""

    def __init__(self, path, stages):
        self.path, self.stages, self.signals = path, stages, []

    def kill(self, pid, signum):
        self.signals.append((pid, signum))
        self.path.write_text(self.stages.pop(0))

    def sleep(self, _seconds):
        if self.stages:
            self.path.write_text(self.stages.pop(0))


def test_keepalived_dump_waits_for_a_whole_file(tmp_path):
    pidfile = tmp_path / "keepalived.pid"
    pidfile.write_text("4242\n")
    whole = fixture("keepalived_json_steady.json")
    fake = FakeKeepalived(tmp_path / "keepalived.json", ["", whole[:100], whole])
    result = lvs_metrics.keepalived_dump(str(pidfile), str(tmp_path / "keepalived.json"), 36, 5, kill=fake.kill, sleep=fake.sleep)
    assert [d["data"]["iname"] for d in result] == ["VI_web", "VI_dns"]
    assert fake.signals == [(4242, 36)]


def test_keepalived_dump_times_out_with_the_reason(tmp_path):
    pidfile = tmp_path / "keepalived.pid"
    pidfile.write_text("4242\n")
    clock = iter(range(0, 100)).__next__
    with pytest.raises(lvs_metrics.SourceError, match=r"no JSON dump in .*keepalived.json within 5s of signal 36 to pid 4242 \(no file\)"):
        lvs_metrics.keepalived_dump(
            str(pidfile), str(tmp_path / "keepalived.json"), 36, 5, kill=lambda pid, sig: None, clock=lambda: float(clock()), sleep=lambda s: None
        )


def test_keepalived_not_running_names_the_pidfile(tmp_path):
    with pytest.raises(lvs_metrics.SourceError, match="cannot read its pid from .*nope.pid.*is it running"):
        lvs_metrics.keepalived_dump(str(tmp_path / "nope.pid"), str(tmp_path / "k.json"), 36, 5)


def test_collect_reports_each_source_on_its_own(tmp_path):
    """keepalived down: its source is 0 with the reason; the IPVS sources are still read."""
    outputs = {("ipvsadm", "-L", "--daemon"): fixture("daemon_both.txt", IPVS_FIXTURES), ("ipvsadm", "-S", "-n"): fixture("mixed_save.txt", IPVS_FIXTURES)}
    conn = tmp_path / "ip_vs_conn_sync"
    conn.write_text(fixture("ip_vs_conn_sync.txt"))

    def down(*_args):
        raise lvs_metrics.SourceError("keepalived: cannot read its pid from /run/keepalived.pid (gone): is it running?")

    samples, errors = lvs_metrics.collect(
        {"services": SERVICES[:1]}, run=lambda argv, source: outputs[tuple(argv)], dump=down, signum=lambda binary: 36, proc_conn=str(conn)
    )
    up = dict((dict(k)["source"], v) for k, v in values(samples, "lvs_metrics_source_up").items())
    assert up == {"keepalived": 0, "sync_daemons": 1, "connections": 1, "services": 1}
    assert values(samples, "lvs_keepalived_up") == {frozenset(): 0}
    assert errors == ["keepalived: cannot read its pid from /run/keepalived.pid (gone): is it running?"]
    assert values(samples, "lvs_vrrp_state") == {}


def test_main_writes_the_textfile_from_a_config(tmp_path, monkeypatch):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"textfile": str(tmp_path / "lvs-metrics.prom"), "connections": False}))
    monkeypatch.setattr(lvs_metrics, "collect", lambda cfg: ([("lvs_keepalived_up", {}, 1)], []))
    assert lvs_metrics.main(["--config", str(config)]) == 0
    text = (tmp_path / "lvs-metrics.prom").read_text()
    assert "lvs_keepalived_up 1\n" in text and "lvs_metrics_last_run_timestamp_seconds " in text


@pytest.mark.parametrize(
    "config, message",
    [
        ({"textfile": "relative.prom"}, "textfile must be an absolute path"),
        ({"textfile": "/x.prom", "services": [{"name": "web", "protocol": "tcp", "address": "example.invalid", "port": 80}]}, "service 'web'"),
    ],
)
def test_check_config_refuses_a_bad_file(tmp_path, capsys, config, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    assert lvs_metrics.main(["--check-config", "--config", str(path)]) == 2
    assert message in capsys.readouterr().err
