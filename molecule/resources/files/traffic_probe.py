# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client traffic through a VIP, for the lab scenarios: new connections and long-lived ones.

Run inside the lab namespace (lvslab client TOPOLOGY -- python3 traffic_probe.py VIP ...).
- New connections: one HTTP/1.0 GET on a new connection every --interval seconds.
- Long-lived connections (--long-lived N): N HTTP/1.1 keep-alive connections, each sending a
  request every --request-interval seconds. A connection closes itself after --lifetime
  seconds (after a complete response, as a keep-alive client with a connection lifetime does)
  and opens a new one; a request that fails on an open connection counts as a cut connection.
It runs for --duration seconds, or until --stop-file exists, then prints one JSON object:
attempts, failures and the longest time without a successful new connection (the gap a client
sees during a failover), the bodies that answered (the backends), the failed requests with
their wall-clock times (to line them up with the journals), and for the long-lived
connections: connections opened, requests, failed requests, connections cut, and the bodies
served in the last second (to see new content after a deployment).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import threading
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


def keepalive_request(sock, reader):
    """One GET on an open HTTP/1.1 connection; returns the body (Content-Length framed)."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: probe\r\n\r\n")
    status = reader.readline()
    if not status.startswith(b"HTTP/1.1 200"):
        raise OSError("bad status %r" % status[:40])
    length = None
    while True:
        line = reader.readline()
        if not line:
            raise OSError("connection closed in the headers")
        if line in (b"\r\n", b"\n"):
            break
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise OSError("no Content-Length")
    body = reader.read(length)
    if len(body) != length:
        raise OSError("short body")
    return body.strip().decode(errors="replace")


class LongLived:
    """Counters shared by the long-lived connection threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.opened = self.requests = self.failed = self.cut = 0
        self.errors = []
        self.recent = []  # (monotonic time, body)

    def note(self, **counts):
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def long_lived_worker(args, stats, stop, index):
    time.sleep(index * args.request_interval / max(1, args.long_lived))  # spread the requests
    while not stop.is_set():
        try:
            sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
        except OSError as exc:
            stats.note(failed=1)
            with stats.lock:
                stats.errors.append({"at": round(time.time(), 3), "error": "connect: %s" % type(exc).__name__})
            time.sleep(args.request_interval)
            continue
        stats.note(opened=1)
        reader = sock.makefile("rb")
        born = time.monotonic()
        try:
            while not stop.is_set() and time.monotonic() - born < args.lifetime:
                t0 = time.monotonic()
                try:
                    body = keepalive_request(sock, reader)
                except OSError as exc:
                    stats.note(failed=1, cut=1)
                    with stats.lock:
                        stats.errors.append({"at": round(time.time(), 3), "error": "cut after %.1f s: %s" % (t0 - born, exc)})
                    break
                stats.note(requests=1)
                with stats.lock:
                    stats.recent.append((time.monotonic(), body))
                    if len(stats.recent) > 2000:
                        del stats.recent[:1000]
                stop.wait(max(0.0, args.request_interval - (time.monotonic() - t0)))
        finally:
            reader.close()
            sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between two new connections")
    parser.add_argument("--timeout", type=float, default=0.2)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--stop-file", help="stop early once this file exists (for probes around a playbook run)")
    parser.add_argument("--long-lived", type=int, default=0, help="keep-alive connections held open")
    parser.add_argument("--request-interval", type=float, default=0.1, help="seconds between requests on a long-lived connection")
    parser.add_argument("--lifetime", type=float, default=5.0, help="seconds a long-lived connection lives before it reconnects")
    args = parser.parse_args()
    stop = threading.Event()
    stats = LongLived()
    workers = [threading.Thread(target=long_lived_worker, args=(args, stats, stop, i), daemon=True) for i in range(args.long_lived)]
    for worker in workers:
        worker.start()
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
            failed.append(
                {
                    "at": round(time.time(), 3),
                    "after_s": round(t0 - start, 3),
                    "error": type(exc).__name__,
                    "took_s": round(time.monotonic() - t0, 3),
                    "port": info.get("port"),
                    "port_last_used_s_ago": round(t0 - used, 1) if used is not None else None,
                }
            )
        else:
            now = time.monotonic()
            longest = max(longest, now - last_ok)
            last_ok = now
            backends[body] = backends.get(body, 0) + 1
        if info.get("port"):
            last_used[info["port"]] = t0
        time.sleep(max(0.0, args.interval - (time.monotonic() - t0)))
    longest = max(longest, time.monotonic() - last_ok)
    end = time.monotonic()
    stop.set()
    for worker in workers:
        worker.join(timeout=args.timeout + args.request_interval + 1)
    result = {
        "attempts": attempts,
        "failures": failures,
        "longest_gap_s": round(longest, 3),
        "seconds": round(end - start, 1),
        "backends": backends,
        "failed": failed[:50],
    }
    if args.long_lived:
        last_second = {}
        for at, body in stats.recent:
            if at >= end - 1.0:
                last_second[body] = last_second.get(body, 0) + 1
        result["long_lived"] = {
            "connections": args.long_lived,
            "opened": stats.opened,
            "requests": stats.requests,
            "failed": stats.failed,
            "cut": stats.cut,
            "errors": stats.errors[:50],
            "bodies_last_second": last_second,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
