# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of lvs.cluster.ipvs_table on a real IPVS kernel (a lab guest), printed as a table.

In one run, against the same guest and the same 100 virtual services x 100 real servers
(10,100 entries), it measures:
  1. bare `ipvsadm -R` of the 10,100 lines into an empty table (the floor);
  2. ipvs_table converging from an empty table;
  3. ipvs_table re-run with nothing to change;
  4. ipvs_table changing 1% of the weights (100 real servers);
  5. ipvs_table deleting everything (services: [], purge: true);
  6. one `ipvsadm` call per entry (what shell-based roles do), into an empty table;
  7. paired rounds (--rounds), each back to back: bare `ipvsadm -R`, the converge task, the
     no-op task, the 1% task, the 1% batch alone as bare `ipvsadm -R`, one call per entry and
     bare `ipvsadm -R` again. The ratios printed are the medians of the rounds, because a lab
     guest's speed drifts 2-3x within minutes on a shared machine.
The limit an agentless tool can reach is one task's overhead plus the bare work in the guest:
each ipvs_table task runs between two ansible.builtin.ping tasks in the same play, the first
opening the connection, the second (connection open, as for the ipvs_table task) giving the
cost of any module task in the guest. The targets: converge <= 1.1x (bare -R + ping), no-op
<= 1.1x ping, 1% change <= 1.1x (its bare batch + ping), one call per entry >= 50x converge.
For each step it reports the end-to-end wall time of `ansible-playbook`, the task's duration
(json callback) and the time spent in the guest (bare commands; for the no-op the one remote
command the action plugin sends, timed in the guest).

Usage: python benchmarks/ipvs_table_bench.py --inventory /var/lib/lvslab/ipvsbench/inventory.yml [--host ipvs1]
(scripts/bench.sh brings the lab guest up, runs this and brings it down.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "collections"))
from ansible_collections.lvs.cluster.plugins.action.ipvs_table import ConnectionTransport  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv, differ, validate  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WORK = os.path.join(ROOT, "build", "ipvs-bench")
SERVICES = 100
SERVERS = 100


def services(weight_change=False):
    """100 VIPs 192.0.2.1-100:80, each with real servers 198.51.100.1-100:80 (DR, wrr)."""
    out = []
    for s in range(SERVICES):
        servers = []
        for r in range(SERVERS):
            weight = 100
            if weight_change and r == s % SERVERS:
                weight = 50  # one server per service: 100 of 10,000 servers, 1%
            servers.append({"address": "198.51.100.%d" % (r + 1), "weight": weight})
        out.append({"address": "192.0.2.%d" % (s + 1), "port": 80, "scheduler": "wrr", "real_servers": servers})
    return out


def rules():
    """The table as ``ipvsadm -R`` lines (the floor's input)."""
    lines = []
    for svc in services():
        lines.append("-A -t %s:80 -s wrr" % svc["address"])
        for rs in svc["real_servers"]:
            lines.append("-a -t %s:80 -r %s:80 -g -w %d" % (svc["address"], rs["address"], rs["weight"]))
    return "".join(line + "\n" for line in lines)


def weight_edits(weight_change):
    """The 1% change alone as ``ipvsadm -R`` lines: the 100 ``-e`` edits (to 50, or back to 100)."""
    lines = []
    for svc, changed in zip(services(), services(weight_change=True)):
        for rs, new in zip(svc["real_servers"], changed["real_servers"]):
            if rs["weight"] != new["weight"]:
                lines.append("-e -t %s:80 -r %s:80 -g -w %d" % (svc["address"], rs["address"], new["weight"] if weight_change else rs["weight"]))
    return "".join(line + "\n" for line in lines)


class Guest:
    def __init__(self, inventory, host):
        with open(inventory, encoding="utf-8") as handle:
            inv = yaml.safe_load(handle)
        hostvars = inv["all"]["hosts"][host]
        self.argv = ["ssh", "-i", hostvars["ansible_ssh_private_key_file"], "-o", "BatchMode=yes"]
        self.argv += shlex.split(hostvars.get("ansible_ssh_common_args", ""))
        self.argv.append("%s@%s" % (hostvars.get("ansible_user", "root"), hostvars["ansible_host"]))

    def run(self, command, stdin=None):
        proc = subprocess.run(self.argv + [command], input=stdin, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit("guest command failed (rc=%d): %s\n%s" % (proc.returncode, command, proc.stderr))
        return proc.stdout

    def timed(self, command):
        """Run `command` in the guest and return the seconds it took, measured in the guest."""
        out = self.run("s=$(date +%%s.%%N); %s >/dev/null; e=$(date +%%s.%%N); echo $s $e" % command)
        start, end = out.split()[-2:]
        return float(end) - float(start)

    def count(self):
        return int(self.run("ipvsadm -S -n | wc -l").strip())


def _seconds(duration):
    """Seconds between the json callback's ISO start and end stamps of a task."""
    start = datetime.datetime.fromisoformat(duration["start"].replace("Z", "+00:00"))
    end = datetime.datetime.fromisoformat(duration["end"].replace("Z", "+00:00"))
    return (end - start).total_seconds()


def playbook(inventory, host, services_file, label):
    """One ansible-playbook run: ping (opens the connection), ipvs_table, ping (connection open).

    Returns (wall seconds of ansible-playbook, seconds of the second ping, of the ipvs_table task, its result).
    """
    path = os.path.join(WORK, "bench.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            """- name: ipvs_table benchmark step
  hosts: %s
  gather_facts: false
  vars_files: [%s]
  tasks:
    - name: ping, opening the connection
      ansible.builtin.ping:
    - name: ipvs_table
      lvs.cluster.ipvs_table:
        services: "{{ bench_services }}"
        purge: true
        timings: true
    - name: ping, the cost of any module task
      ansible.builtin.ping:
"""
            % (host, services_file)
        )
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    start = time.monotonic()
    proc = subprocess.run(
        [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", inventory, path], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - start
    try:
        # ansible.cfg also enables profile_tasks, which prints after the JSON document.
        data, _end = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{") :])
        _first, table, ping = data["plays"][0]["tasks"][:3]
        result = table["hosts"][host]
    except (ValueError, KeyError, IndexError):
        raise SystemExit("%s: ansible-playbook failed (rc=%d):\n%s\n%s" % (label, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    if result.get("failed"):
        raise SystemExit("%s: the module failed: %s" % (label, result.get("msg")))
    return wall, _seconds(ping["task"]["duration"]), _seconds(table["task"]["duration"]), result


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2


def write_services(name, items):
    path = os.path.join(WORK, name)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"bench_services": items}, handle)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--host", default="ipvs1")
    parser.add_argument("--per-entry-limit", type=int, default=0, help="run only this many per-entry ipvsadm calls and extrapolate (0: all 10,100)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (see the module's docstring) for the ratios")
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    guest = Guest(args.inventory, args.host)
    text = rules()
    entries = text.count("\n")
    full = write_services("full.json", services())
    changed = write_services("weights.json", services(weight_change=True))
    empty = write_services("empty.json", [])
    # The one remote command of a no-op, as the action plugin sends it for this table.
    noop_command = ConnectionTransport.table_command([argv.SAVE, argv.THRESHOLDS], differ.table_digest(validate.table(services())))

    guest.run("modprobe ip_vs && modprobe ip_vs_wrr && cat > /tmp/ipvs-bench.rules", stdin=text)
    guest.run("cat > /tmp/ipvs-bench.edits", stdin=weight_edits(False))
    guest.run("cat > /tmp/ipvs-bench.noop.sh", stdin=noop_command + "\n")
    rows = []  # (label, wall s, task s, host s, note)

    guest.run("ipvsadm -C")
    bare = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
    assert guest.count() == entries, "bare ipvsadm -R did not load every entry"
    rows.append(("bare ipvsadm -R, empty -> 10,100", bare, None, bare, "floor"))

    guest.run("ipvsadm -C")
    pings = []
    noop_host = None
    for label, path, expect_changed in (
        ("ipvs_table converge, empty -> 10,100", full, True),
        ("ipvs_table re-run, nothing to change", full, False),
        ("ipvs_table change 1% of weights", changed, True),
        ("ipvs_table delete all (purge)", empty, True),
    ):
        wall, ping, task, result = playbook(args.inventory, args.host, path, label)
        pings.append(ping)
        assert result["changed"] == expect_changed, "%s: changed=%s" % (label, result["changed"])
        assert result.get("on_controller"), "%s: the module ran on the host" % label
        timings = result.get("timings", {})
        note = "read %.2f, validate+read+diff %.2f, apply+verify %.2f; %s" % (
            timings.get("read", 0),
            timings.get("validate_read_diff", 0),
            timings.get("apply_and_verify", 0),
            json.dumps(result.get("summary", {}), sort_keys=True),
        )
        host = None
        if not expect_changed:
            # What the no-op costs the host: its one command, timed in the guest (median of 3).
            noop_host = sorted(guest.timed("sh /tmp/ipvs-bench.noop.sh") for _attempt in range(3))[1]
            host = noop_host
        rows.append((label, wall, task, host, note))
    assert guest.count() == 0

    # The floor again, now that the module steps are done: on a shared host the load drifts
    # during a run, so the single-run ratios below use the mean of the two bare measurements.
    bare_after = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
    assert guest.count() == entries, "bare ipvsadm -R did not load every entry"
    rows.append(("bare ipvsadm -R again, empty -> 10,100", bare_after, None, bare_after, "floor, end of run"))
    guest.run("ipvsadm -C")
    bare = (bare + bare_after) / 2

    lines = text.splitlines()
    limit = args.per_entry_limit or len(lines)
    guest.run("head -n %d /tmp/ipvs-bench.rules > /tmp/ipvs-bench.subset" % limit)
    guest.run("ipvsadm -C")
    per_entry = guest.timed("while read -r line; do ipvsadm $line; done < /tmp/ipvs-bench.subset")
    measured = per_entry
    if limit < len(lines):
        per_entry = per_entry * len(lines) / limit
    rows.append(
        (
            "one ipvsadm call per entry%s" % ("" if limit == len(lines) else " (%d timed, scaled)" % limit),
            per_entry,
            None,
            per_entry,
            "%.1f ms per call" % (1000 * measured / limit),
        )
    )

    # The speed of a lab guest drifts by 2-3x within minutes on a shared machine, so the ratios
    # come from rounds in which the compared measurements are taken back to back.
    rounds = []
    for _round in range(args.rounds):
        r = {}
        guest.run("ipvsadm -C")
        r["bare_before"] = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
        guest.run("ipvsadm -C")
        _wall, r["ping_converge"], r["converge"], result = playbook(args.inventory, args.host, full, "round: converge")
        assert result["changed"] and guest.count() == entries
        _wall, r["ping_noop"], r["noop"], result = playbook(args.inventory, args.host, full, "round: no-op")
        assert not result["changed"]
        _wall, r["ping_change"], r["change"], result = playbook(args.inventory, args.host, changed, "round: 1%")
        assert result["changed"] and result["summary"] == {"edit_server": 100}
        # The same 100 edits as a bare batch (back to the first weights: the same lines' cost).
        r["bare_change"] = guest.timed("ipvsadm -R < /tmp/ipvs-bench.edits")
        guest.run("ipvsadm -C")
        r["calls"] = guest.timed("while read -r line; do ipvsadm $line; done < /tmp/ipvs-bench.subset") * len(lines) / limit
        guest.run("ipvsadm -C")
        r["bare_after"] = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
        r["bare"] = (r["bare_before"] + r["bare_after"]) / 2
        rounds.append(r)
    guest.run("ipvsadm -C; rm -f /tmp/ipvs-bench.rules /tmp/ipvs-bench.subset /tmp/ipvs-bench.edits /tmp/ipvs-bench.noop.sh")

    def fmt(value):
        return "%.2f" % value if value is not None else "-"

    print()
    print("ipvs_table benchmark: %d services x %d real servers = %d entries, lab guest %s (UML Linux 6.1)" % (SERVICES, SERVERS, entries, args.host))
    print("wall: ansible-playbook on the controller; task: the ipvs_table task (connection already open);")
    print("host: time in the guest (the bare commands; for the no-op its one remote command)")
    print("%-42s %8s %8s %8s  %s" % ("step", "wall s", "task s", "host s", "notes"))
    for label, wall, task, host, note in rows:
        print("%-42s %8s %8s %8s  %s" % (label, fmt(wall), fmt(task), fmt(host), note))
    converge, noop = rows[1], rows[2]
    print()
    print("host load average at the end: %s" % " ".join("%.1f" % x for x in os.getloadavg()))
    print("a module task in this guest (ansible.builtin.ping, connection open, median of %d): %.2f s" % (len(pings), median(pings)))
    print("single run: converge task / bare ipvsadm -R (mean of two) %.2fx; no-op task %.2f s, in the guest %.2f s" % (converge[2] / bare, noop[2], noop_host))
    if not rounds:
        return 0
    print()
    print("paired rounds (seconds; ping = the ping task after the ipvs_table task, in the same play):")
    print(
        "  %5s %7s %8s %5s %7s %5s %7s %6s %6s %8s | %9s %9s %8s %9s %9s"
        % ("round", "bare -R", "converge", "ping", "no-op", "ping", "1%", "ping", "1% -R", "calls", "conv/b+p", "conv/bare", "noop/p", "1%/b1%+p", "calls/cnv")
    )
    ratios = {"conv_bp": [], "conv_bare": [], "noop_p": [], "chg": [], "calls": [], "ceiling": []}
    for number, r in enumerate(rounds, 1):
        values = {
            "conv_bp": r["converge"] / (r["bare"] + r["ping_converge"]),
            "conv_bare": r["converge"] / r["bare"],
            "noop_p": r["noop"] / r["ping_noop"],
            "chg": r["change"] / (r["bare_change"] + r["ping_change"]),
            "calls": r["calls"] / r["converge"],
            "ceiling": r["calls"] / r["bare"],
        }
        for name, value in values.items():
            ratios[name].append(value)
        print(
            "  %5d %7.2f %8.2f %5.2f %7.2f %5.2f %7.2f %6.2f %6.2f %8.1f | %8.2fx %8.2fx %7.2fx %8.2fx %8.0fx"
            % (
                number,
                r["bare"],
                r["converge"],
                r["ping_converge"],
                r["noop"],
                r["ping_noop"],
                r["change"],
                r["ping_change"],
                r["bare_change"],
                r["calls"],
                values["conv_bp"],
                values["conv_bare"],
                values["noop_p"],
                values["chg"],
                values["calls"],
            )
        )

    def verdict(value, target, at_most=True):
        return "met" if (value <= target if at_most else value >= target) else "NOT met"

    m = {name: median(values) for name, values in ratios.items()}
    print()
    print("medians of %d paired rounds:" % len(rounds))
    print("  converge task / (bare ipvsadm -R + ping task) %.2fx   target <= 1.1x: %s" % (m["conv_bp"], verdict(m["conv_bp"], 1.1)))
    print("  converge task / bare ipvsadm -R               %.2fx   target <= 1.5x: %s" % (m["conv_bare"], verdict(m["conv_bare"], 1.5)))
    print("  no-op task / ping task                        %.2fx   target <= 1.1x: %s" % (m["noop_p"], verdict(m["noop_p"], 1.1)))
    print("  1%% change task / (its bare batch + ping task) %.2fx   target <= 1.1x: %s" % (m["chg"], verdict(m["chg"], 1.1)))
    print("  one call per entry / converge task            %.0fx    target >= 50x: %s" % (m["calls"], verdict(m["calls"], 50, at_most=False)))
    print("  one call per entry / bare ipvsadm -R          %.0fx    the ceiling of the line above in this guest" % m["ceiling"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
