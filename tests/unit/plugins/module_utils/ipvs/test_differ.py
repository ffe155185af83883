# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Differ and argv building, anchored on tables recorded from a real kernel."""

from __future__ import annotations

import copy
import hashlib
import re
import subprocess

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, differ, parser, validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import ServerKey, ServiceKey
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.ipvs.tests_ipvs_data import DECLARED, PLAIN


def recorded(fixture):
    return parser.merge_thresholds(parser.parse_save(fixture("mixed_save")), parser.parse_thresholds(fixture("mixed_thresholds")))


def test_declared_matches_kernel_exactly(fixture):
    """What a user declares, normalised, equals what the kernel reports: nothing to do."""
    desired = validate.table(DECLARED)
    assert differ.diff_table(recorded(fixture), desired, purge=True) == []


def test_from_empty_rebuilds_the_recorded_save(fixture):
    current = recorded(fixture)
    ops = differ.diff_table({}, current)
    assert [op.action for op in ops].count("add_service") == 14
    assert [op.action for op in ops].count("add_server") == 18
    # Every add_service precedes every add_server.
    actions = [op.action for op in ops]
    assert max(i for i, a in enumerate(actions) if a == "add_service") < min(i for i, a in enumerate(actions) if a == "add_server")
    # Replaying our lines through the parser gives the same table back.
    script = argv.restore_script(ops)
    reparsed = parser.parse_save(script)
    assert differ.diff_table(reparsed, current) == []
    # Our lines are the kernel's own -S lines, plus the thresholds -S does not print.
    ours = set(script.splitlines())
    kernel = set(fixture("mixed_save").splitlines())
    assert ours - kernel == {
        "-a -t 192.0.2.10:80 -r 198.51.100.12:80 -g -w 0 -x 500 -y 400",
        "-a -t [2001:db8::10]:443 -r [2001:db8:1::12]:8443 -m -w 3 -x 1000 -y 10",
    }


def test_weight_change_is_an_in_place_edit(fixture):
    current = recorded(fixture)
    desired = copy.deepcopy(current)
    svc = desired[ServiceKey("tcp", "192.0.2.10", 80)]
    svc.real_servers[ServerKey("198.51.100.11", 80)].weight = 50
    ops = differ.diff_table(current, desired)
    assert [(op.action, str(op.server.key)) for op in ops] == [("edit_server", "198.51.100.11:80")]
    assert argv.op_argv(ops[0]) == ["-e", "-t", "192.0.2.10:80", "-r", "198.51.100.11:80", "-g", "-w", "50", "-x", "0", "-y", "0"]
    diff = differ.diff_text(ops)
    assert diff == {"before": "-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 100\n", "after": "-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 50\n"}


def test_service_edit_carries_every_attribute(fixture):
    current = recorded(fixture)
    desired = copy.deepcopy(current)
    v6 = desired[ServiceKey("tcp", "2001:db8::10", 443, family="ipv6")]
    v6.scheduler = "wlc"
    ops = differ.diff_table(current, desired)
    assert len(ops) == 1 and ops[0].action == "edit_service"
    # -E resets what it is not given: persistence and its mask must be repeated.
    assert argv.op_argv(ops[0]) == ["-E", "-t", "[2001:db8::10]:443", "-s", "wlc", "-p", "300", "-M", "64"]


def test_method_change_is_an_edit_port_change_is_replace(fixture):
    current = recorded(fixture)
    desired = copy.deepcopy(current)
    fwm = desired[ServiceKey("fwmark", fwmark=10)]
    gre = fwm.real_servers[ServerKey("203.0.113.24", 0)]
    gre.tun_csum = "csum"
    http = desired[ServiceKey("tcp", "192.0.2.10", 80)]
    nat = http.real_servers.pop(ServerKey("198.51.100.13", 8080))
    nat.port = 8081
    http.real_servers[nat.key] = nat
    ops = differ.diff_table(current, desired, purge=True)
    assert [argv.restore_line(op) for op in ops] == [
        "-d -t 192.0.2.10:80 -r 198.51.100.13:8080",
        "-a -t 192.0.2.10:80 -r 198.51.100.13:8081 -m -w 5",
        "-e -f 10 -r 203.0.113.24:0 -i -w 1 -x 0 -y 0 --tun-type gre --tun-csum",
    ]


def test_purge_deletes_undeclared_services_and_servers(fixture):
    current = recorded(fixture)
    desired = validate.table(DECLARED[:1])
    desired[ServiceKey("tcp", "192.0.2.10", 80)].real_servers.pop(ServerKey("198.51.100.13", 8080))
    ops = differ.diff_table(current, desired, purge=True)
    assert ops[0].action == "delete_service"
    assert sum(op.action == "delete_service" for op in ops) == 13
    assert [argv.restore_line(op) for op in ops if op.action == "delete_server"] == ["-d -t 192.0.2.10:80 -r 198.51.100.13:8080"]
    assert "-D -f 20 -6" in [argv.restore_line(op) for op in ops]
    assert differ.diff_table(current, desired, purge=False) == []


def test_purge_with_empty_declaration_empties_the_table(fixture):
    ops = differ.diff_table(recorded(fixture), {}, purge=True)
    assert {op.action for op in ops} == {"delete_service"} and len(ops) == 14


def test_single_service_and_server_diffs(fixture):
    current = recorded(fixture)
    http = current[ServiceKey("tcp", "192.0.2.10", 80)]
    assert differ.diff_service(http, None)[0].action == "delete_service"
    assert differ.diff_service(None, None) == []
    wanted = copy.deepcopy(http)
    wanted.real_servers = {}
    assert differ.diff_service(http, wanted, manage_servers=True, purge=False) == []
    assert len(differ.diff_service(http, wanted, manage_servers=True, purge=True)) == 3
    assert differ.diff_service(http, wanted, manage_servers=False, purge=True) == []
    server = http.real_servers[ServerKey("198.51.100.11", 80)]
    assert differ.diff_server(http, server, copy.deepcopy(server)) == []
    assert differ.diff_server(http, server, None)[0].action == "delete_server"
    assert differ.diff_server(http, None, server)[0].action == "add_server"


def test_timeouts_and_daemon_argv():
    assert argv.timeouts_argv({"tcp": 600}) == ["--set", "600", "0", "0"]
    daemon = validate.sync_daemon(
        {"role": "backup", "interface": "eth1", "syncid": 9, "sync_maxlen": 1200, "mcast_group": "239.1.2.3", "mcast_port": 8850, "mcast_ttl": 2}
    )
    assert argv.start_daemon_argv(daemon) == [
        "--start-daemon",
        "backup",
        "--mcast-interface",
        "eth1",
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
    assert argv.stop_daemon_argv("master") == ["--stop-daemon", "master"]


def zero_thresholds(fixture):
    """The recorded --thresholds listing with its two set thresholds put back to 0."""
    text = fixture("mixed_thresholds")
    for before, after in (("500        400", "0          0  "), ("1000       10 ", "0          0  ")):
        assert before in text
        text = text.replace(before, after)
    return text


def recorded_without_thresholds(fixture):
    return parser.merge_thresholds(parser.parse_save(fixture("mixed_save")), parser.parse_thresholds(zero_thresholds(fixture)))


def test_fast_noop_check_agrees_with_the_full_diff(fixture):
    """table_unchanged() says True only where diff_table() finds nothing to do."""
    save, thresholds = fixture("mixed_save"), zero_thresholds(fixture)
    kernel = recorded_without_thresholds(fixture)
    weight = copy.deepcopy(kernel)
    weight[ServiceKey("tcp", "192.0.2.10", 80)].real_servers[ServerKey("198.51.100.11", 80)].weight = 99
    scheduler = copy.deepcopy(kernel)
    scheduler[ServiceKey("tcp", "192.0.2.10", 80)].scheduler = "rr"
    fewer = copy.deepcopy(kernel)
    del fewer[ServiceKey("tcp", "192.0.2.90", 22)]
    fewer_servers = copy.deepcopy(kernel)
    del fewer_servers[ServiceKey("tcp", "192.0.2.10", 80)].real_servers[ServerKey("198.51.100.13", 8080)]
    threshold = copy.deepcopy(kernel)
    threshold[ServiceKey("tcp", "192.0.2.10", 80)].real_servers[ServerKey("198.51.100.11", 80)].upper_threshold = 7
    cases = {  # name: (desired, purge, expected answer of the fast check)
        "identical, purge": (kernel, True, True),
        "identical": (kernel, False, True),
        "weight changed": (weight, False, False),
        "scheduler changed": (scheduler, True, False),
        "a service undeclared, purge": (fewer, True, False),
        "a service undeclared, no purge": (fewer, False, True),
        "a real server undeclared, purge": (fewer_servers, True, False),
        "a real server undeclared, no purge": (fewer_servers, False, True),
        "a threshold declared": (threshold, False, False),
    }
    for name, (desired, purge, expected) in cases.items():
        fast = differ.table_unchanged(save, thresholds, desired, purge=purge)
        assert fast is expected, name
        if fast:
            assert differ.diff_table(kernel, desired, purge=purge) == [], name
        else:
            assert differ.diff_table(kernel, desired, purge=purge), name


def test_fast_noop_check_leaves_set_thresholds_to_the_full_diff(fixture):
    # The kernel has thresholds set (-S does not show them): the fast check declines even
    # though the declaration matches, and the full diff confirms there is nothing to do.
    desired = validate.table(DECLARED)
    assert differ.table_unchanged(fixture("mixed_save"), fixture("mixed_thresholds"), desired, purge=True) is False
    assert differ.diff_table(recorded(fixture), desired, purge=True) == []


def test_fast_noop_check_on_an_empty_table(fixture):
    assert differ.table_unchanged(fixture("empty_save"), fixture("empty_thresholds"), {}, purge=True) is True
    kernel = recorded_without_thresholds(fixture)
    assert differ.table_unchanged(fixture("empty_save"), fixture("empty_thresholds"), kernel) is False
    assert differ.table_unchanged(fixture("mixed_save"), zero_thresholds(fixture), {}, purge=True) is False
    assert differ.table_unchanged(fixture("mixed_save"), zero_thresholds(fixture), {}, purge=False) is True


def test_digest_is_of_the_unique_sorted_save_lines(fixture):
    plain = validate.table(PLAIN)
    lines = sorted(set(fixture("mixed_save").splitlines()))
    assert differ.table_digest(plain) == hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    # The declared order does not matter (the kernel lists in its hash order); an empty table is the empty text.
    assert differ.table_digest(dict(reversed(list(plain.items())))) == differ.table_digest(plain)
    assert differ.table_digest({}) == hashlib.sha256(b"").hexdigest()


def test_the_threshold_pattern_means_the_same_to_python_and_to_grep(fixture):
    listing = fixture("mixed_thresholds")
    python = [line for line in listing.splitlines() if re.search(differ.SET_THRESHOLD_PATTERN, line)]
    grep = subprocess.run(["grep", "-E", differ.SET_THRESHOLD_PATTERN], input=listing, capture_output=True, text=True, check=True).stdout.splitlines()
    assert python == grep and [line.split()[1] for line in python] == ["198.51.100.12:80", "[2001:db8:1::12]:8443"]
