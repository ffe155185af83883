# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""site.yml over two director pairs: one director of each pair per batch, against one director at a time.

Run by `BENCH=rollout bash scripts/bench.sh` (lab/topologies/pairs.yml: pairs pa1/pa2 and pb1/pb2,
one real server each; the declaration in benchmarks/pairs/), under the lab's strategy.
1. Brings the topology up and runs site.yml once (the first rollout).
2. Each round runs, in alternating order, site.yml as it is (the directors in the batches of
   lvs.cluster.director_rollout: pa1+pb1, then pa2+pb2) and the same playbooks with the director
   play as it was before that filter (`serial: 1` over sort.yml's rank groups, every director
   after the other; a copy of playbooks/ in build/bench/rollout/). Each run gets a new
   `bench_weight`, so every director's keepalived.conf changes and each of the four reloads.
3. Prints each run's seconds, and from the directors' journals each reload's span (keepalived's
   "Reloading" to its "Reload complete"). It fails when the two directors of a pair reloaded at
   the same time, or when a VIP moved; the ratio is batched / one at a time, per round and its
   median.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from labrun import ROOT, guest, lab, lab_arguments, playbook

TOPOLOGY = os.path.join(ROOT, "lab", "topologies", "pairs.yml")
INVENTORY = "/var/lib/lvslab/pairs/inventory.yml"  # where lvslab writes topology "pairs"' inventory
DECLARATION = os.path.join(ROOT, "benchmarks", "pairs")
OUT = os.path.join(ROOT, "build", "bench", "rollout")
PAIRS = {"a": ("pa1", "pa2", "192.0.2.100"), "b": ("pb1", "pb2", "192.0.2.101")}
DIRECTORS = [host for pair in PAIRS.values() for host in pair[:2]]
# site.yml's director play keywords now, and as they were before lvs.cluster.director_rollout.
BATCHED = (
    '  hosts: "{{ groups | lvs.cluster.director_rollout(hostvars | default({})) | flatten }}"\n',
    "  serial: \"{{ groups | lvs.cluster.director_rollout(hostvars | default({})) | map('length') | list }}\"\n",
)
ONE_AT_A_TIME = ("  hosts: lvs_director_0_elect:lvs_director_1_backup:lvs_director_2_master\n", "  serial: 1\n")


def serial_playbooks():
    """A copy of playbooks/ whose site.yml rolls every director after the other; its directory."""
    target = os.path.join(OUT, "playbooks")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "playbooks"), target)
    path = os.path.join(target, "site.yml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for now, before in zip(BATCHED, ONE_AT_A_TIME):
        if text.count(now) != 1:
            sys.exit("rollout_bench: playbooks/site.yml no longer has the director play line %r" % now.strip())
        text = text.replace(now, before)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return target


def reloads(host, since):
    """[(start, end)] of each keepalived reload on host since the Unix time ``since``.

    The guests' clocks are the host's (UML). Not a journal cursor: `--after-cursor` of the cursor
    that `journalctl -n 0 --show-cursor` prints skips the first entry after it here, which is the
    "Reloading" line.
    """
    text = guest(TOPOLOGY, host, "journalctl -q -o short-unix -t Keepalived --no-pager --since @%.6f" % since)
    spans, start = [], None
    for line in text.splitlines():
        stamp = float(line.split(" ", 1)[0])
        if re.search(r"Reloading \.\.\.", line):
            start = stamp
        elif "Reload complete" in line and start is not None:
            spans.append((start, stamp))
            start = None
    return spans


def holders():
    out = {}
    for tag, (first, second, vip) in PAIRS.items():
        out[tag] = [h for h in (first, second) if " %s/" % vip in guest(TOPOLOGY, h, "ip -o addr show")]
    return out


def one_run(name, books, weight, log):
    since = time.time()
    before = holders()
    extra = ["-e", "bench_weight=%d" % weight]
    # An absolute path (the copy's site.yml) is taken as it is by labrun.playbook's os.path.join.
    seconds = playbook([INVENTORY, DECLARATION], os.path.join(books, "site.yml") if books else "site.yml", log, *extra)
    spans = {h: reloads(h, since) for h in DIRECTORS}
    after = holders()
    problems = []
    for tag, (first, second, _vip) in PAIRS.items():
        for host in (first, second):
            if len(spans[host]) != 1:
                problems.append("%s reloaded %d times, not once" % (host, len(spans[host])))
        if len(spans[first]) == 1 and len(spans[second]) == 1:
            (a0, a1), (b0, b1) = spans[first][0], spans[second][0]
            if a0 < b1 and b0 < a1:
                problems.append("pair %s: %s and %s reloaded at the same time" % (tag, first, second))
    if after != before:
        problems.append("VIP holders moved: %s -> %s" % (before, after))
    if problems:
        sys.exit("rollout_bench: %s run (log %s): %s" % (name, log, "; ".join(problems)))
    return {"seconds": round(seconds, 1), "reloads": {h: [round(s[1] - s[0], 2) for s in spans[h]] for h in DIRECTORS}}


def main():
    parser = lab_arguments(__doc__)
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    books = serial_playbooks()
    lab("up", TOPOLOGY)
    try:
        lab("inventory", TOPOLOGY, stdout=subprocess.DEVNULL)
        first = playbook([INVENTORY, DECLARATION], "site.yml", os.path.join(OUT, "site-first.log"), "-e", "bench_weight=100")
        print("first rollout of both pairs: %.1f s" % first, flush=True)
        weight, rows = 100, []
        for number in range(1, args.rounds + 1):
            order = [("batched", None), ("one at a time", books)]
            if number % 2 == 0:
                order.reverse()
            row = {}
            for name, copy in order:
                weight += 1
                log = os.path.join(OUT, "round%d-%s.log" % (number, name.replace(" ", "-")))
                row[name] = one_run(name, copy, weight, log)
                print("round %d, %s: %s" % (number, name, json.dumps(row[name])), flush=True)
            row["ratio"] = row["batched"]["seconds"] / row["one at a time"]["seconds"]
            rows.append(row)
        load = open("/proc/loadavg", encoding="ascii").read().split()[:3]
        print("\nhost load %s; site.yml with a weight change on both pairs (every director reloads), %d paired rounds" % (" ".join(load), args.rounds))
        print("%6s %16s %16s %18s" % ("round", "batched s", "one at a time s", "batched / one"))
        for number, row in enumerate(rows, 1):
            print("%6d %16.1f %16.1f %17.2fx" % (number, row["batched"]["seconds"], row["one at a time"]["seconds"], row["ratio"]))
        print("median batched / one at a time: %.2fx" % statistics.median(r["ratio"] for r in rows))
    finally:
        if not args.keep:
            lab("down", TOPOLOGY)


if __name__ == "__main__":
    main()
