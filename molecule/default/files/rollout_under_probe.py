# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Roll playbooks/site.yml over the running lab cluster while the lab client probes the VIP.

Run on the controller by molecule/default/side_effect.yml:
    python3 rollout_under_probe.py --lab .venv/bin/lvslab --topology default --master dir1 \\
        --backup dir2 --vip 192.0.2.10 --port 80 --green 198.51.100.12 --green-port 80 \\
        --repo . --playbook .venv/bin/ansible-playbook --inventory INV [--inventory INV2] \\
        --strategy linear --work DIR --name weight [--extra='-e @file.json']

1. starts molecule/resources/files/traffic_probe.py in the lab client (a new connection to the
   VIP every 20 ms until a stop file appears), waits 2 s;
2. runs site.yml with the given strategy, Ansible's default callback and no colour, its output
   in DIR/rollout-NAME.log;
3. waits 2 s, stops the probe, and reads what the rollout did: the "Reload keepalived"
   handler's changed hosts in the log, the green real server's weight in the MASTER's IPVS
   table, and the VRRP state changes in both directors' keepalived journals since the
   rollout started.

Prints one JSON object: the probe's result (attempts, failures, longest_gap_s, ...) with
rollout_rc, rollout_s, keepalived_reloads, green_weight_on_master (-1 when the entry is
missing), vrrp_changes and log.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import time

RELOAD_HANDLER = b"RUNNING HANDLER [lvs.cluster.director : Reload keepalived]"
# What the director that held the VIP logs when it gives it up, and what its peer logs when it takes it.
LEFT_MASTER = re.compile(r"Entering (BACKUP|FAULT) STATE|removing VIPs")
BECAME_MASTER = re.compile(r"Entering MASTER STATE|setting VIPs")


def count_reloads(path):
    """Hosts the reload handler changed: a ``changed:`` line right after the handler's header."""
    with open(path, "rb") as handle:
        lines = handle.read().split(b"\n")
    return sum(1 for i in range(len(lines) - 1) if lines[i].startswith(RELOAD_HANDLER) and lines[i + 1].startswith(b"changed: "))


def guest(args, host, *command):
    """The lines ``command`` prints in a lab guest (lvslab ssh); its stderr passes through."""
    argv = shlex.split(args.lab) + ["ssh", args.topology, host, "--", *command]
    out = subprocess.run(argv, stdout=subprocess.PIPE, check=False).stdout
    return out.decode("utf-8", errors="replace").split("\n")


def green_weight(args):
    """The green real server's weight in the MASTER's IPVS table, -1 when the entry is missing."""
    entry = re.compile(r"-a -t %s:%d -r %s:%d .*-w (\d*)" % (re.escape(args.vip), args.port, re.escape(args.green), args.green_port))
    for line in guest(args, args.master, "ipvsadm", "-S", "-n"):
        match = entry.match(line)
        if match:
            return int(match.group(1) or -1)
    return -1


def vrrp_changes(args, since):
    """VRRP state changes in both directors' keepalived journals since ``since``."""
    journal = ("journalctl", "-u", "keepalived", "--since", "@%d" % int(since), "-o", "cat")
    left = sum(1 for line in guest(args, args.master, *journal) if LEFT_MASTER.search(line))
    took = sum(1 for line in guest(args, args.backup, *journal) if BECAME_MASTER.search(line))
    return left + took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", required=True, help="the lvslab command (shell words)")
    parser.add_argument("--topology", required=True)
    parser.add_argument("--master", required=True, help="the director that holds the VIP")
    parser.add_argument("--backup", required=True, help="the other director")
    parser.add_argument("--vip", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--green", required=True, help="the address of the real server whose weight the rollout sets")
    parser.add_argument("--green-port", type=int, required=True)
    parser.add_argument("--repo", required=True, help="the collection's checkout (site.yml, the traffic probe)")
    parser.add_argument("--playbook", required=True, help="the ansible-playbook executable")
    parser.add_argument("--inventory", action="append", required=True, help="an inventory source (repeat for more)")
    parser.add_argument("--extra", default="", help="more ansible-playbook arguments (shell words, e.g. '-e @file.json')")
    parser.add_argument("--strategy", required=True, help="ANSIBLE_STRATEGY for the rollout")
    parser.add_argument("--work", required=True, help="where the stop file, the probe's output and the log go")
    parser.add_argument("--name", required=True, help="the rollout's name in those files' names")
    args = parser.parse_args()

    stop = "%s/rollout-%s.stop" % (args.work, args.name)
    probe_out = "%s/rollout-%s.probe.json" % (args.work, args.name)
    log = "%s/rollout-%s.log" % (args.work, args.name)
    with contextlib.suppress(FileNotFoundError):
        os.remove(stop)
    probe_argv = shlex.split(args.lab) + ["client", args.topology, "--", "python3", args.repo + "/molecule/resources/files/traffic_probe.py"]
    probe_argv += [args.vip, "--port", str(args.port), "--timeout", "3", "--duration", "1800", "--stop-file", stop]
    with open(probe_out, "wb") as out:
        probe = subprocess.Popen(probe_argv, stdin=subprocess.DEVNULL, stdout=out)  # pylint: disable=consider-using-with
    time.sleep(2)
    t0 = time.time()
    env = dict(os.environ, ANSIBLE_STRATEGY=args.strategy, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_FORCE_COLOR="0")
    playbook = [args.playbook]
    for inventory in args.inventory:
        playbook += ["-i", inventory]
    playbook += [args.repo + "/playbooks/site.yml", *shlex.split(args.extra)]
    with open(log, "wb") as out:
        rc = subprocess.run(playbook, stdout=out, stderr=subprocess.STDOUT, env=env, check=False).returncode
    t1 = time.time()
    time.sleep(2)
    with open(stop, "ab"):
        pass
    probe.wait()
    reloads = count_reloads(log)
    weight = green_weight(args)
    changes = vrrp_changes(args, t0)
    with open(probe_out, encoding="utf-8") as handle:
        result = json.load(handle)
    result.update(
        rollout_rc=rc,
        rollout_s=round(t1 - t0, 1),
        keepalived_reloads=reloads,
        green_weight_on_master=weight,
        vrrp_changes=changes,
        log=log,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
