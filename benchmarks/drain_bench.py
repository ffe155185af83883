# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Blue/green switches under client load on the drain lab, with figures (docs/benchmarks.md).

    python benchmarks/drain_bench.py [--rounds 3] [--keep]

Brings up lab/topologies/drain.yml with molecule/drain's cluster declaration, rolls it out with
site.yml, then per round: starts the client load through the web VIP (a new connection every
20 ms and 20 long-lived keep-alive connections, a request every 100 ms each, reconnecting after
4 s) and runs playbooks/bluegreen.yml (blue then green, with molecule/drain's deployment hook),
then stops the load. Prints per round and as min/median/max over the rounds: requests sent and
failed (new connections and long-lived), long-lived connections opened and cut, each pool's
drain wait and whole drain, and the switch's length. The lab goes down at the end (--keep
leaves it up). Needs root. The playbooks run with the environment's ANSIBLE_STRATEGY (scripts/bench.sh
runs them under mitogen_linear, as the lab scenarios do); the figures say which.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labrun import ENV, LVSLAB, ROOT, lab, lab_arguments  # noqa: E402  pylint: disable=wrong-import-position
from labrun import playbook as run_playbook  # noqa: E402  pylint: disable=wrong-import-position

TOPOLOGY = os.path.join(ROOT, "lab", "topologies", "drain.yml")
DECLARATION = os.path.join(ROOT, "molecule", "drain", "inventory")
HOOK = os.path.join(ROOT, "molecule", "drain", "files", "deploy-hook.yml")
PROBE = os.path.join(ROOT, "molecule", "resources", "files", "traffic_probe.py")
OUT = os.path.join(ROOT, "build", "bench-drain")
VIP = "192.0.2.100"


def playbook(inventory, name, log, *extra):
    return run_playbook([inventory, DECLARATION], name, log, *extra)


def one_round(inventory, number):
    stop = os.path.join(OUT, "stop")
    if os.path.exists(stop):
        os.remove(stop)
    probe = subprocess.Popen(
        [
            LVSLAB,
            "client",
            TOPOLOGY,
            "--",
            "python3",
            PROBE,
            VIP,
            "--timeout",
            "3",
            "--duration",
            "1800",
            "--long-lived",
            "20",
            "--lifetime",
            "4",
            "--stop-file",
            stop,
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    log = os.path.join(OUT, "bluegreen-%d.log" % number)
    seconds = playbook(
        inventory, "bluegreen.yml", log, "-e", json.dumps({"lvs_bluegreen_pools": ["pool_blue", "pool_green"]}), "-e", "lvs_drain_hook=%s" % HOOK
    )
    time.sleep(2)
    open(stop, "w").close()
    load = json.loads(probe.communicate(timeout=120)[0])
    with open(log, encoding="utf-8") as handle:
        text = handle.read()
    waits = {pool: float(s) for pool, s in re.findall(r"(pool_\w+) on dir\d: \d+ established connection\(s\) after ([0-9.]+) s", text)}
    drains = {pool: float(s) for pool, s in re.findall(r"(pool_\w+): drained from \S+; back at the inventory state \w+,\s+([0-9.]+) s in all", text)}
    ll = load["long_lived"]
    return {
        "switch_s": round(seconds, 1),
        "new_sent": load["attempts"],
        "new_failed": load["failures"],
        "ll_requests": ll["requests"],
        "ll_failed": ll["failed"],
        "ll_opened": ll["opened"],
        "ll_cut": ll["cut"],
        "wait_blue_s": waits.get("pool_blue"),
        "wait_green_s": waits.get("pool_green"),
        "drain_blue_s": drains.get("pool_blue"),
        "drain_green_s": drains.get("pool_green"),
    }


def main():
    parser = lab_arguments(__doc__)
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    lab("up", TOPOLOGY)
    try:
        lab("inventory", TOPOLOGY, stdout=subprocess.DEVNULL)
        inventory = "/var/lib/lvslab/drain/inventory.yml"  # where lvslab writes topology "drain"'s inventory
        subprocess.run(
            [
                os.path.join(ROOT, ".venv", "bin", "ansible"),
                "-i",
                inventory,
                "-i",
                DECLARATION,
                "pool_blue:pool_green",
                "-m",
                "ansible.builtin.copy",
                "-a",
                "content='{{ inventory_hostname }} v1\n' dest=/var/www/html/index.html mode=0644",
                "-o",
            ],
            cwd=ROOT,
            env=ENV,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        playbook(inventory, "site.yml", os.path.join(OUT, "site.log"))
        rounds = []
        for number in range(1, args.rounds + 1):
            result = one_round(inventory, number)
            rounds.append(result)
            print("round %d: %s" % (number, json.dumps(result)), flush=True)
        load = open("/proc/loadavg", encoding="ascii").read().split()[:3]
        print("\nload %s, strategy %s" % (load, os.environ.get("ANSIBLE_STRATEGY", "linear")))
        print("%-14s %10s %10s %10s" % ("figure", "min", "median", "max"))
        for key in rounds[0]:
            values = [r[key] for r in rounds if r[key] is not None]
            if values:
                print("%-14s %10s %10s %10s" % (key, min(values), round(statistics.median(values), 1), max(values)))
    finally:
        if not args.keep:
            lab("down", TOPOLOGY)


if __name__ == "__main__":
    main()
