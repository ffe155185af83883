# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""argv.py: every ipvsadm command line, checked against the lines a real kernel prints.

fixtures/mixed_save.txt is ``ipvsadm -S -n`` of the mixed table of fixtures/capture.sh: a
service or server rendered by argv must be the kernel's own line, so that a no-op is
recognised on the raw text (differ.table_unchanged) and a batch is what ``ipvsadm -R`` takes.
"""

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, parser
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.differ import Op
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import RealServer, ServiceKey, SyncDaemon, VirtualService


def recorded(fixture):
    return parser.parse_save(fixture("mixed_save"))


def test_describe_renders_the_kernels_own_save_lines(fixture):
    table = recorded(fixture)
    lines = []
    for service in table.values():
        lines.append(argv.describe_service(service))
        lines += [argv.describe_server(service, server) for server in service.real_servers.values()]
    # Thresholds are 0 in -S output, so every line round-trips exactly.
    assert sorted(lines) == sorted(fixture("mixed_save").splitlines())


@pytest.mark.parametrize(
    "key, expected",
    [
        (ServiceKey("tcp", "192.0.2.10", 80), ["-t", "192.0.2.10:80"]),
        (ServiceKey("udp", "192.0.2.53", 53), ["-u", "192.0.2.53:53"]),
        (ServiceKey("sctp", "192.0.2.70", 3868), ["--sctp-service", "192.0.2.70:3868"]),
        (ServiceKey("tcp", "2001:db8::10", 443, family="ipv6"), ["-t", "[2001:db8::10]:443"]),
        (ServiceKey("fwmark", fwmark=10), ["-f", "10"]),
        (ServiceKey("fwmark", fwmark=20, family="ipv6"), ["-f", "20", "-6"]),
    ],
)
def test_service_selector(key, expected):
    assert argv.service_argv(key) == expected


def test_service_options_in_ipvsadm_order():
    service = VirtualService(
        ServiceKey("udp", "192.0.2.60", 5060),
        scheduler="sh",
        sched_flags=("sh-fallback", "sh-port"),
        persistence_timeout=300,
        persistence_netmask="255.255.255.0",
        persistence_engine="sip",
        one_packet=True,
    )
    assert argv.service_options(service) == ["-s", "sh", "-p", "300", "-M", "255.255.255.0", "--pe", "sip", "-o", "-b", "sh-fallback,sh-port"]
    # No persistence: neither its netmask nor its engine is written.
    plain = VirtualService(ServiceKey("tcp", "192.0.2.10", 80), persistence_netmask="24", persistence_engine="sip")
    assert argv.service_options(plain) == ["-s", "wlc"]


def test_server_options_thresholds_only_when_set_or_on_an_edit():
    server = RealServer("198.51.100.11", 80, weight=5)
    assert argv.server_options(server) == ["-g", "-w", "5"]
    # -e resets what it is not given: an edit always writes both thresholds.
    assert argv.server_options(server, explicit_thresholds=True) == ["-g", "-w", "5", "-x", "0", "-y", "0"]
    assert argv.server_options(RealServer("198.51.100.12", 80, method="nat", upper_threshold=500)) == ["-m", "-w", "1", "-x", "500", "-y", "0"]


@pytest.mark.parametrize(
    "server, expected",
    [
        (RealServer("203.0.113.5", 443, method="tunnel"), ["-i", "-w", "1", "--tun-type", "ipip"]),
        (
            RealServer("203.0.113.21", 0, method="tunnel", tun_type="gue", tun_port=6080, tun_csum="remcsum"),
            ["-i", "-w", "1", "--tun-type", "gue", "--tun-port", "6080", "--tun-remcsum"],
        ),
        (RealServer("203.0.113.24", 0, method="tunnel", tun_type="gre", tun_csum="nocsum"), ["-i", "-w", "1", "--tun-type", "gre", "--tun-nocsum"]),
        # ipip has no checksum option.
        (RealServer("203.0.113.25", 0, method="tunnel", tun_type="ipip", tun_csum="csum"), ["-i", "-w", "1", "--tun-type", "ipip"]),
    ],
)
def test_tunnel_options(server, expected):
    assert argv.server_options(server) == expected


def test_op_argv_for_every_action():
    service = VirtualService(ServiceKey("tcp", "2001:db8::10", 443, family="ipv6"), scheduler="ovf", persistence_timeout=300, persistence_netmask="64")
    server = RealServer("2001:db8:1::12", 8443, method="nat", weight=3)
    assert argv.op_argv(Op("add_service", service)) == ["-A", "-t", "[2001:db8::10]:443", "-s", "ovf", "-p", "300", "-M", "64"]
    assert argv.op_argv(Op("edit_service", service))[0] == "-E"
    assert argv.op_argv(Op("delete_service", service)) == ["-D", "-t", "[2001:db8::10]:443"]
    assert argv.op_argv(Op("add_server", service, server)) == ["-a", "-t", "[2001:db8::10]:443", "-r", "[2001:db8:1::12]:8443", "-m", "-w", "3"]
    assert argv.op_argv(Op("edit_server", service, server)) == [
        "-e",
        "-t",
        "[2001:db8::10]:443",
        "-r",
        "[2001:db8:1::12]:8443",
        "-m",
        "-w",
        "3",
        "-x",
        "0",
        "-y",
        "0",
    ]
    assert argv.op_argv(Op("delete_server", service, server)) == ["-d", "-t", "[2001:db8::10]:443", "-r", "[2001:db8:1::12]:8443"]


def test_restore_script_is_one_line_per_op_and_parses_back(fixture):
    table = recorded(fixture)
    ops = [Op("add_service", service) for service in table.values()]
    ops += [Op("add_server", service, server) for service in table.values() for server in service.real_servers.values()]
    script = argv.restore_script(ops)
    assert script.endswith("\n") and script.count("\n") == len(ops) == 32
    assert script.splitlines()[0] == argv.restore_line(ops[0]) == " ".join(argv.op_argv(ops[0]))
    assert parser.parse_save(script) == table
    assert argv.restore_script([]) == ""


def test_timeouts_argv_keeps_unset_values_with_zero():
    assert argv.timeouts_argv({"tcp": 900, "tcpfin": 120, "udp": 300}) == ["--set", "900", "120", "300"]
    assert argv.timeouts_argv({"tcpfin": 60}) == ["--set", "0", "60", "0"]


def test_sync_daemon_argv():
    master = SyncDaemon("master", "syncif", 7)
    assert argv.start_daemon_argv(master) == ["--start-daemon", "master", "--mcast-interface", "syncif", "--syncid", "7"]
    backup = SyncDaemon("backup", "syncif", 9, sync_maxlen=1200, mcast_group="239.1.2.3", mcast_port=8850, mcast_ttl=2)
    assert argv.start_daemon_argv(backup) == [
        "--start-daemon",
        "backup",
        "--mcast-interface",
        "syncif",
        "--syncid",
        "9",
        "--sync-maxlen",
        "1200",
        "--mcast-group",
        "239.1.2.3",
        "--mcast-port",
        "8850",
        "--mcast-ttl",
        "2",
    ]
    assert argv.stop_daemon_argv("backup") == ["--stop-daemon", "backup"]


def test_reads_are_argv_tuples():
    # Tuples: a caller cannot change the command another read will run.
    for read in (argv.SAVE, argv.THRESHOLDS, argv.LIST, argv.STATS, argv.RATE, argv.TIMEOUTS, argv.DAEMONS, argv.RESTORE):
        assert isinstance(read, tuple) and all(isinstance(token, str) and " " not in token for token in read)
    assert argv.SAVE == ("-S", "-n") and argv.THRESHOLDS == ("-L", "-n", "--thresholds")
