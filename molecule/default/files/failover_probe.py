"""Open a new HTTP connection to a VIP every INTERVAL seconds for DURATION seconds.

Run inside the lab namespace (python -m lvslab client TOPOLOGY -- python3 failover_probe.py ...).
With --stop-file it runs until that file appears (used to watch a whole site.yml rollout).
Prints one JSON object: attempts, failures, and the longest time without a successful
request (the service gap a client sees during a failover).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import time


def fetch(host, port, timeout):
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(b"GET / HTTP/1.0\r\nHost: probe\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
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
    while time.monotonic() - start < args.duration and not (args.stop_file and os.path.exists(args.stop_file)):
        attempts += 1
        t0 = time.monotonic()
        try:
            body = fetch(args.host, args.port, args.timeout)
        except OSError:
            failures += 1
        else:
            now = time.monotonic()
            longest = max(longest, now - last_ok)
            last_ok = now
            backends[body] = backends.get(body, 0) + 1
        time.sleep(max(0.0, args.interval - (time.monotonic() - t0)))
    longest = max(longest, time.monotonic() - last_ok)
    print(json.dumps({"attempts": attempts, "failures": failures, "longest_gap_s": round(longest, 3),
                      "seconds": round(time.monotonic() - start, 1), "backends": backends}))


if __name__ == "__main__":
    main()
