# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line of the lab: lvslab <command> ... (see docs/lab.md)."""

from __future__ import annotations

import argparse
import json
import sys

from . import image, preflight, render
from .errors import LabError
from .lab import FAULTS, Lab


def _split_command(argv):
    """Split argv at the first '--': (our arguments, the command to run)."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def build_parser():
    p = argparse.ArgumentParser(prog="lvslab", description="Real-kernel lab of User-Mode Linux guests (docs/lab.md).")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("image", help="build the cached base root if missing or out of date")
    s.add_argument("--force", action="store_true", help="rebuild even if the current image exists")
    s.add_argument("--print-dir", action="store_true", help="print the image directory and whether it is built")
    s.add_argument("--prune", action="store_true", help="delete older base images that no running topology uses")
    s = sub.add_parser("check", help="check a topology and the host without starting anything")
    s.add_argument("topology")
    for name, hlp in (
        ("up", "bring the topology up (idempotent)"),
        ("down", "stop guests, remove namespace, mounts, state"),
        ("status", "show guests and links"),
        ("inventory", "print the Ansible inventory"),
    ):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("topology")
        if name == "up":
            s.add_argument("--rebuild-image", action="store_true")
        if name == "down":
            s.add_argument("--keep-disks", action="store_true", help="keep the guests' disks (upper layers)")
        if name == "status":
            s.add_argument("--json", action="store_true")
        if name == "inventory":
            s.add_argument("--path", action="store_true", help="print the path of the written inventory file instead")
    s = sub.add_parser("ssh", help="ssh to a guest: ssh TOPOLOGY HOST [-- cmd ...]")
    s.add_argument("topology")
    s.add_argument("host")
    s = sub.add_parser("client", help="run a command as the client endpoint: client TOPOLOGY -- cmd ...")
    s.add_argument("topology")
    s = sub.add_parser("fault", help="inject a fault: fault TOPOLOGY HOST %s [NET]" % "|".join(FAULTS))
    s.add_argument("topology")
    s.add_argument("host")
    s.add_argument("kind", choices=FAULTS)
    s.add_argument("net", nargs="?", help="data network for link-down/link-up (default: all data links)")
    s = sub.add_parser("start", help="boot a crashed or stopped guest again (its disk is kept)")
    s.add_argument("topology")
    s.add_argument("host")
    return p


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, command = _split_command(argv)
    args = build_parser().parse_args(ours)
    try:
        if args.cmd == "image":
            if args.print_dir:
                print("%s %s" % (image.image_dir(), "built" if image.is_built() else "not-built"))
                return 0
            if args.prune:
                for path in image.prune():
                    print("removed %s" % path)
                return 0
            preflight.require(need_image_build=True)
            print(image.build(force=args.force))
            return 0
        lab = Lab(args.topology)
        if args.cmd == "check":
            preflight.require(lab.topo, need_image_build=not image.is_built())
            print(
                "%s: topology and host OK (%d guests, networks: %s)" % (args.topology, len(lab.topo.guests), ", ".join(n.name for n in lab.topo.all_networks))
            )
            return 0
        if args.cmd == "up":
            print(lab.up(rebuild_image=args.rebuild_image))
            return 0
        if args.cmd == "down":
            lab.down(keep_disks=args.keep_disks)
            return 0
        if args.cmd == "status":
            st = lab.status()
            if args.json:
                print(json.dumps(st, indent=1))
            else:
                print("%s (namespace %s: %s)" % (st["name"], st["namespace"], "present" if st["network"] else "absent"))
                for name, g in st["guests"].items():
                    print(
                        "  %-12s %-8s mgmt %-15s pid %-7s links %s"
                        % (name, g["state"], g["mgmt"], g["pid"] or "-", " ".join("%s:%s" % kv for kv in g["links"].items()))
                    )
            return 0
        if args.cmd == "inventory":
            print(render.inventory_path(lab.topo) if args.path else render.inventory_yaml(lab.topo), end="\n" if args.path else "")
            return 0
        if args.cmd == "ssh":
            return lab.ssh(args.host, command or None)
        if args.cmd == "client":
            if not command:
                raise LabError("client needs a command after '--', e.g. lvslab client %s -- curl http://192.0.2.100/" % args.topology)
            return lab.client(command)
        if args.cmd == "fault":
            lab.fault(args.host, args.kind, args.net)
            return 0
        if args.cmd == "start":
            lab.start(args.host)
            return 0
    except LabError as exc:
        sys.stderr.write("lvslab: error: %s\n" % exc)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1
