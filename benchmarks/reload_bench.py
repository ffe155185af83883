# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""keepalived reloads at scale: reload time, and whether the VIP or the peer moves, by real servers in the config.

    python benchmarks/reload_bench.py [--sizes 100,1000,10000] [--rounds 3] [--keep]

On lab/topologies/failover.yml (two directors, advert_int 0.2 s, no preemption: molecule/failover's
declaration), for each size N it declares molecule/failover's web service plus N/2 more
services on the VIP (ports 10000 and up), each with the pool's two real servers: N real servers
in keepalived.conf. It rolls that out with site.yml (timed: the role's own cost at that size),
then per round reloads keepalived on the director holding the VIP (``systemctl reload``, as the
role's handler does) and reads from the journals:
- the reload's time, from the keepalived parent's ``Reloading ...`` to its ``Reload complete``
  (logged once every child, VRRP and checkers, has read the new configuration), and the time
  ``systemctl reload`` took as the role's handler sees it (the unit is Type=notify: it returns
  when keepalived says it is ready again);
- every VRRP transition either director logged from the reload until 5 s after it ended
  (tag lvs-vrrp, the role's notify-FIFO logger), and whether the VIP is still where it was;
- before the reloads, the transitions of 30 s without one: what the checkers' load alone causes.
The added services' ports have no listener, so their checks fail at once: the checkers do the
work of N real servers without N machines. Prints one row per size (medians of the rounds, and
the worst round's transitions). The lab goes down at the end (--keep leaves it up). Needs root.
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
from labrun import ROOT, guest, lab, lab_arguments, playbook  # noqa: E402  pylint: disable=wrong-import-position

TOPOLOGY = os.path.join(ROOT, "lab", "topologies", "failover.yml")
DECLARATION = os.path.join(ROOT, "molecule", "failover", "inventory")
INVENTORY = "/var/lib/lvslab/failover/inventory.yml"  # where lvslab writes topology "failover"'s inventory
DIRECTORS = ("dir1", "dir2")
VIP = "192.0.2.100"
OUT = os.path.join(ROOT, "build", "bench-reload")
# The keepalived parent's first and last lines of a reload (keepalived 2.2.7, journalctl -o
# short-unix). Its children's own "Reload finished in N usec" is logged only with -D.
RELOAD = re.compile(r"^(\d+\.\d+) \S+ Keepalived\[\d+\]: (Reloading \.\.\.|Reload complete)", re.M)
QUIET = 30  # seconds without a reload, to count the transitions the checkers' load alone causes
# molecule/failover's one service, kept so that the VIP serves as before.
WEB = {
    "name": "web",
    "vrrp_instance": "VI_FO",
    "vip": VIP,
    "port": 80,
    "scheduler": "rr",
    "method": "dr",
    "health_check": {"type": "TCP_CHECK", "connect_timeout": 2, "retry": 1, "delay_before_retry": 1},
    "delay_loop": 2,
    "backends": [{"group": "pool_blue", "weight": 100}],
}


def services(real_servers):
    """WEB plus (real_servers / 2) services of the pool's two real servers on ports 10000 and up."""
    added = []
    for number in range(real_servers // 2):
        added.append(
            dict(
                WEB,
                name="scale%d" % number,
                port=10000 + number,
                delay_loop=30,
                health_check={"type": "TCP_CHECK", "connect_timeout": 2, "retry": 1, "delay_before_retry": 1},
            )
        )
    return [WEB] + added


def cursor(host):
    out = guest(TOPOLOGY, host, "journalctl -q -n 0 --show-cursor")
    found = re.search(r"-- cursor: (\S+)", out)
    return found.group(1) if found else None


def journal(host, after, *filters, output="short-precise"):
    where = "--after-cursor '%s'" % after if after else ""
    return guest(TOPOLOGY, host, "journalctl -q -o %s --no-pager %s %s" % (output, where, " ".join(filters)))


def holder():
    for host in DIRECTORS:
        if " %s/" % VIP in guest(TOPOLOGY, host, "ip -o -4 addr show"):
            return host
    return None


def transitions(marks):
    """Per director, the VRRP transitions (lvs-vrrp lines) it logged since ``marks``."""
    return {host: [line for line in journal(host, marks[host], "-t", "lvs-vrrp").splitlines() if "INSTANCE" in line] for host in DIRECTORS}


def quiet(master):
    """Transitions in QUIET seconds without a reload: what the load of the checkers alone causes."""
    marks = {host: cursor(host) for host in DIRECTORS}
    time.sleep(QUIET)
    seen = transitions(marks)
    return sum(len(lines) for lines in seen.values()), holder() == master


def one_reload(master, timeout):
    peer = [d for d in DIRECTORS if d != master][0]
    marks = {host: cursor(host) for host in DIRECTORS}
    started = time.monotonic()
    guest(TOPOLOGY, master, "systemctl reload keepalived")
    command = time.monotonic() - started
    stamps = {}
    while time.monotonic() - started < timeout:
        for stamp, what in RELOAD.findall(journal(master, marks[master], "-u", "keepalived.service", output="short-unix")):
            stamps.setdefault(what, float(stamp))
        if len(stamps) == 2:
            break
        time.sleep(1)
    time.sleep(5)
    seen = transitions(marks)
    return {
        "reload_s": round(stamps["Reload complete"] - stamps["Reloading ..."], 3) if len(stamps) == 2 else None,
        "systemctl_s": round(command, 2),
        "peer_transitions": len(seen[peer]),
        "master_transitions": len(seen[master]),
        "vip_stayed": holder() == master,
        "lines": seen[master] + seen[peer],
    }


def main():
    parser = lab_arguments(__doc__)
    parser.add_argument("--sizes", default="100,1000,10000", help="real servers in keepalived.conf, comma-separated")
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for a reload to finish")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    lab("up", TOPOLOGY)
    rows = []
    try:
        lab("inventory", TOPOLOGY, stdout=subprocess.DEVNULL)
        for size in [int(x) for x in args.sizes.split(",")]:
            declared = os.path.join(OUT, "services-%d.json" % size)
            with open(declared, "w", encoding="utf-8") as handle:
                json.dump({"lvs_services": services(size)}, handle)
            site = playbook([INVENTORY, DECLARATION], "site.yml", os.path.join(OUT, "site-%d.log" % size), "-e", "@" + declared)
            time.sleep(10)
            master = holder()
            if master is None:
                sys.exit("reload_bench: no director holds %s after site.yml at %d real servers" % (VIP, size))
            conf = int(guest(TOPOLOGY, master, "wc -c < /etc/keepalived/keepalived.conf").strip())
            calm, stayed = quiet(master)
            print("%d real servers: %d transition(s) in %d s without a reload; VIP stayed: %s" % (size, calm, QUIET, stayed), flush=True)
            rounds = []
            for number in range(1, args.rounds + 1):
                result = one_reload(master, args.timeout)
                rounds.append(result)
                print("%d real servers, round %d on %s: %s" % (size, number, master, json.dumps(result)), flush=True)
                time.sleep(5)
            rows.append((size, site, conf, calm, rounds))
        load = open("/proc/loadavg", encoding="ascii").read().split()[:3]
        print("\nhost load %s; keepalived reloaded on the director holding the VIP, %d rounds per size" % (" ".join(load), args.rounds))
        print(
            "%12s %8s %9s %10s %9s %12s %12s %10s %7s"
            % ("real servers", "site s", "conf KiB", "quiet tr.", "reload s", "systemctl s", "peer trans.", "VIP moved", "rounds")
        )
        for size, site, conf, calm, rounds in rows:

            def med(key, rounds=rounds):
                values = [r[key] for r in rounds if r[key] is not None]
                return "%.2f" % statistics.median(values) if values else "-"

            print(
                "%12d %8.0f %9.0f %10d %9s %12s %12d %10d %7d"
                % (
                    size,
                    site,
                    conf / 1024,
                    calm,
                    med("reload_s"),
                    med("systemctl_s"),
                    max(r["peer_transitions"] for r in rounds),
                    sum(not r["vip_stayed"] for r in rounds),
                    len(rounds),
                )
            )
    finally:
        if not args.keep:
            lab("down", TOPOLOGY)


if __name__ == "__main__":
    main()
