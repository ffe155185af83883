# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open a new HTTP connection to a VIP every INTERVAL seconds for DURATION seconds.

Run inside the lab namespace (python -m lvslab client TOPOLOGY -- python3 failover_probe.py ...).
With --stop-file it runs until that file appears (used to watch a whole site.yml rollout).
Prints one JSON object: attempts, failures, and the longest time without a successful
request (the service gap a client sees during a failover), the backends that answered, and
for every failed request its wall-clock time and error (to line it up with the journals).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import time


def fetch(host, port, timeout, info):
    """GET / through host:port on a new connection; info["port"] gets the local port used."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
        finally:
            info["port"] = sock.getsockname()[1]
        sock.sendall(b"GET / HTTP/1.0\r\nHost: probe\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    return data.split(b"\r\n\r\n", 1)[-1].strip().decode(errors="replace")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--interval", type=float, default=0.02)
    parser.add_argument("--timeout", type=float, default=0.2)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--stop-file", help="stop early once this file exists (for probes around a playbook run)")
    args = parser.parse_args()
    start = time.monotonic()
    last_ok = start
    longest = 0.0
    attempts = failures = 0
    backends = {}
    failed = []
    last_used = {}
    while time.monotonic() - start < args.duration and not (args.stop_file and os.path.exists(args.stop_file)):
        attempts += 1
        t0 = time.monotonic()
        info = {}
        try:
            body = fetch(args.host, args.port, args.timeout, info)
        except OSError as exc:
            failures += 1
            used = last_used.get(info.get("port"))
            failed.append({"at": round(time.time(), 3), "after_s": round(t0 - start, 3), "error": type(exc).__name__,
                           "took_s": round(time.monotonic() - t0, 3), "port": info.get("port"),
                           "port_last_used_s_ago": round(t0 - used, 1) if used is not None else None})
        else:
            now = time.monotonic()
            longest = max(longest, now - last_ok)
            last_ok = now
            backends[body] = backends.get(body, 0) + 1
        if info.get("port"):
            last_used[info["port"]] = t0
        time.sleep(max(0.0, args.interval - (time.monotonic() - t0)))
    longest = max(longest, time.monotonic() - last_ok)
    print(json.dumps({"attempts": attempts, "failures": failures, "longest_gap_s": round(longest, 3),
                      "seconds": round(time.monotonic() - start, 1), "backends": backends, "failed": failed[:50]}))


if __name__ == "__main__":
    main()
