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
  4. ipvs_table changing 1% of the weights (101 real servers);
  5. ipvs_table deleting everything (services: [], purge: true);
  6. one `ipvsadm` call per entry (what shell-based roles do), into an empty table;
  7. paired rounds (--rounds): bare `ipvsadm -R`, the converge task, one call per entry and
     bare `ipvsadm -R` again, back to back; the ratios printed are the medians of the rounds,
     because a lab guest's speed drifts 2-3x within minutes on a shared machine.
For each ipvs_table step it reports the end-to-end wall time of `ansible-playbook` (start-up,
loading and templating the 10,100-entry variable, SSH), the duration of the ipvs_table task
itself (a ping task before it opens the connection and gives the cost of any module task in
the guest), and the time spent in the guest: the module process (Python start-up, argument
validation, read, diff, apply, verify) with its own phase timings or, when the action plugin
answered a no-op on the controller, its one remote read timed in the guest.

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
from ansible_collections.lvs.cluster.plugins.action.ipvs_table import READ_COMMAND  # noqa: E402  pylint: disable=wrong-import-position

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
    lines = []
    for svc in services():
        lines.append("-A -t %s:80 -s wrr" % svc["address"])
        for rs in svc["real_servers"]:
            lines.append("-a -t %s:80 -r %s:80 -g -w %d" % (svc["address"], rs["address"], rs["weight"]))
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
    """One ansible-playbook run: a ping (opens the connection; the cost of any module task), then ipvs_table.

    Returns (wall seconds of ansible-playbook, ping task seconds, ipvs_table task seconds, result).
    """
    path = os.path.join(WORK, "bench.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            """- name: ipvs_table benchmark step
  hosts: %s
  gather_facts: false
  vars_files: [%s]
  tasks:
    - name: ping
      ansible.builtin.ping:
    - name: ipvs_table
      lvs.cluster.ipvs_table:
        services: "{{ bench_services }}"
        purge: true
        timings: true
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
        ping, table = data["plays"][0]["tasks"][:2]
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
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (bare -R, converge, one call per entry, bare -R) for the ratios")
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    guest = Guest(args.inventory, args.host)
    text = rules()
    entries = text.count("\n")
    full = write_services("full.json", services())
    changed = write_services("weights.json", services(weight_change=True))
    empty = write_services("empty.json", [])

    guest.run("modprobe ip_vs && modprobe ip_vs_wrr && cat > /tmp/ipvs-bench.rules", stdin=text)
    rows = []  # (label, wall s, task s, host s, note)

    guest.run("ipvsadm -C")
    bare = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
    assert guest.count() == entries, "bare ipvsadm -R did not load every entry"
    rows.append(("bare ipvsadm -R, empty -> 10,100", bare, None, bare, "floor"))

    guest.run("ipvsadm -C")
    pings = []
    noop_read = None
    for label, path, expect_changed in (
        ("ipvs_table converge, empty -> 10,100", full, True),
        ("ipvs_table re-run, nothing to change", full, False),
        ("ipvs_table change 1% of weights", changed, True),
        ("ipvs_table delete all (purge)", empty, True),
    ):
        wall, ping, task, result = playbook(args.inventory, args.host, path, label)
        pings.append(ping)
        assert result["changed"] == expect_changed, "%s: changed=%s" % (label, result["changed"])
        timings = result.get("timings", {})
        where = "controller" if result.get("on_controller") else "module"
        host = timings.get("process")
        note = "%s: read %.2f, validate+read+diff %.2f, apply %.2f, apply+verify %.2f; %s" % (
            where,
            timings.get("read", 0),
            timings.get("validate_read_diff", 0),
            timings.get("apply", 0),
            timings.get("apply_and_verify", 0),
            json.dumps(result.get("summary", {}), sort_keys=True),
        )
        if not expect_changed:
            # What the no-op costs the host: the one read, timed in the guest (median of 3).
            noop_read = sorted(guest.timed("sh -c %s" % shlex.quote(READ_COMMAND)) for _attempt in range(3))[1]
            host = noop_read if host is None else host
        rows.append((label, wall, task, host, note))
    assert guest.count() == 0

    # The floor again, now that the module steps are done: on a shared host the load drifts
    # during a run, so the ratios below use the mean of the two bare measurements.
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
        guest.run("ipvsadm -C")
        before = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
        guest.run("ipvsadm -C")
        _wall, _ping, task, result = playbook(args.inventory, args.host, full, "round")
        assert result["changed"] and guest.count() == entries
        guest.run("ipvsadm -C")
        calls = guest.timed("while read -r line; do ipvsadm $line; done < /tmp/ipvs-bench.subset") * len(lines) / limit
        guest.run("ipvsadm -C")
        after = guest.timed("ipvsadm -R < /tmp/ipvs-bench.rules")
        rounds.append((before, task, calls, after))
    guest.run("ipvsadm -C; rm -f /tmp/ipvs-bench.rules /tmp/ipvs-bench.subset")

    def fmt(value):
        return "%.2f" % value if value is not None else "-"

    print()
    print("ipvs_table benchmark: %d services x %d real servers = %d entries, lab guest %s (UML Linux 6.1)" % (SERVICES, SERVERS, entries, args.host))
    print("wall: ansible-playbook on the controller; task: the ipvs_table task (connection already open);")
    print("host: time in the guest (the module process if the module ran; the one read for the no-op; the bare commands)")
    print("%-42s %8s %8s %8s  %s" % ("step", "wall s", "task s", "host s", "notes"))
    for label, wall, task, host, note in rows:
        print("%-42s %8s %8s %8s  %s" % (label, fmt(wall), fmt(task), fmt(host), note))
    converge, noop = rows[1], rows[2]
    ping = sorted(pings)[len(pings) // 2]
    if rounds:
        print()
        print("paired rounds (each: bare -R, converge task, one call per entry scaled, bare -R):")
        for before, task, calls, after in rounds:
            print(
                "  bare %.2f / %.2f s, converge task %.2f s -> %.2fx, one call per entry %.1f s -> %.0fx"
                % (before, after, task, task / ((before + after) / 2), calls, calls / task)
            )
    print()
    print("host load average at the end: %s" % " ".join("%.1f" % x for x in os.getloadavg()))
    print("any module task in this guest (ansible.builtin.ping, median of %d): %.2f s" % (len(pings), ping))
    print("bare ipvsadm -R, mean of the two runs: %.2f s" % bare)
    print("converge (task) / bare ipvsadm -R: %.2fx   (target <= 1.5x)" % (converge[2] / bare))
    print("converge (end to end, ansible-playbook) / bare ipvsadm -R: %.2fx" % (converge[1] / bare))
    if rounds:
        print(
            "paired rounds, medians: converge task / bare -R %.2fx (target <= 1.5x); one call per entry / converge task %.0fx (target >= 50x)"
            % (median([t / ((b + a) / 2) for b, t, _c, a in rounds]), median([c / t for _b, t, c, _a in rounds]))
        )
    print("no-op re-run: task %.2f s (target < 1 s); in the guest %.2f s; end to end %.2f s" % (noop[2], noop_read, noop[1]))
    print("one call per entry / converge: %.0fx (task), %.0fx (end to end)   (target >= 50x)" % (per_entry / converge[2], per_entry / converge[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
