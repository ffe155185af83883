# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A UDP service for the lab scenarios: each real server answers a datagram with its name.

- On a real server: ``udp_name.py serve --port P --name NAME`` answers every datagram with NAME
  (the inventory's name of the host) and a newline: what keepalived's UDP_CHECK with
  ``require_reply`` reads, and what tells the client which backend answered. Run by a systemd unit the scenario's prepare step installs.
- In the lab client namespace: ``udp_name.py ask VIP PORT --count N`` sends N datagrams through
  the VIP, each from a new socket (so a new source port, so a new IPVS connection entry, so the
  scheduler picks again), and prints one JSON object: the answers in order and the datagrams
  that got none within --timeout.
"""

from __future__ import annotations

import argparse
import json
import socket


def serve(port, name):
    reply = name.encode() + b"\n"
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", port))
    while True:
        _data, peer = sock.recvfrom(2048)
        sock.sendto(reply, peer)


def ask(host, port, count, timeout):
    answers, failures = [], []
    for i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.settimeout(timeout)
            sock.sendto(b"name\n", (host, port))
            answers.append(sock.recv(2048).decode(errors="replace").strip())
        except OSError as exc:
            failures.append({"datagram": i, "error": str(exc) or type(exc).__name__})
        finally:
            sock.close()
    return {"sent": count, "answers": answers, "failures": failures}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="answer every datagram with NAME")
    p_serve.add_argument("--port", type=int, required=True)
    p_serve.add_argument("--name", required=True)
    p_ask = sub.add_parser("ask", help="send datagrams through a VIP and print the answers as JSON")
    p_ask.add_argument("host")
    p_ask.add_argument("port", type=int)
    p_ask.add_argument("--count", type=int, default=12)
    p_ask.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port, args.name)
    else:
        print(json.dumps(ask(args.host, args.port, args.count, args.timeout)))


if __name__ == "__main__":
    main()
