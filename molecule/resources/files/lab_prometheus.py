# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Prometheus server for the failover and drain scenarios, in the lab's client namespace.

Run inside the lab namespace (lvslab client TOPOLOGY -- python3 lab_prometheus.py ...), where
the directors' management addresses answer. It uses the host's Debian `prometheus` (2.42, the
package that gives `make rules` its promtool), the collection's alert rules as shipped, and a
scrape and rule interval of --interval seconds.

    lab_prometheus.py start --dir DIR --rules FILE --target NAME=ADDRESS:PORT ... [--interval 2] [--lifetime 1800]
        writes DIR/prometheus.yml (each target's `instance` label is its NAME, `cluster` is
        "lab"), starts prometheus in the background (its data and log in DIR, ended by `stop`
        or after --lifetime seconds at the latest, so a failed run leaves nothing running),
        and returns once it is ready and has loaded the rules.
    lab_prometheus.py check --dir DIR [--timeout S] [--rules-healthy] [--show NAME=EXPR] NAME=EXPR ...
        evaluates each PromQL expression until every one returns at least one sample (or
        --timeout passes), then prints one JSON object: ok, seconds, each NAME's samples
        ({labels..., "value": v}), with --rules-healthy the rules whose last evaluation
        failed, and each --show expression's samples (reported, not checked). Exit code 0
        when ok.
    lab_prometheus.py stop --dir DIR
        ends the server it started.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

LISTEN = "127.0.0.1:9090"
BASE = "http://" + LISTEN


def api(path, **params):
    url = BASE + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def samples(expr):
    """The instant vector (or scalar) of expr now, as a list of {label: value, ..., "value": float}."""
    data = api("/api/v1/query", query=expr)["data"]
    if data["resultType"] == "scalar":
        return [{"value": float(data["result"][1])}]
    return [dict(item["metric"], value=float(item["value"][1])) for item in data["result"]]


def start(args):
    stop(args, quiet=True)  # the server of an earlier run that failed half-way, if it still runs
    shutil.rmtree(os.path.join(args.dir, "data"), ignore_errors=True)  # its samples, which "[1h]" would read
    os.makedirs(args.dir, exist_ok=True)
    lines = [
        "global:",
        "  scrape_interval: %ss" % args.interval,
        "  scrape_timeout: %ss" % max(1, args.interval - 1),
        "  evaluation_interval: %ss" % args.interval,
        "rule_files: [%s]" % json.dumps(os.path.abspath(args.rules)),
        "scrape_configs:",
        "  - job_name: lvs-directors",
        "    static_configs:",
    ]
    for target in args.target:
        name, address = target.split("=", 1)
        lines += ["      - targets: [%s]" % json.dumps(address), "        labels: {instance: %s, cluster: lab}" % json.dumps(name)]
    config = os.path.join(args.dir, "prometheus.yml")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    argv = [
        "timeout",
        str(args.lifetime),
        "prometheus",
        "--config.file=" + config,
        "--storage.tsdb.path=" + os.path.join(args.dir, "data"),
        "--web.listen-address=" + LISTEN,
    ]
    with open(os.path.join(args.dir, "prometheus.log"), "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(args.dir, "pid"), "w", encoding="utf-8") as handle:
        handle.write("%d\n" % proc.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("prometheus exited with %s: see %s/prometheus.log" % (proc.returncode, args.dir))
        try:
            if api("/api/v1/rules")["data"]["groups"]:
                print(json.dumps({"started": True, "pid": proc.pid, "config": config}))
                return 0
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    sys.exit("prometheus did not load its rules within 60 s: see %s/prometheus.log" % args.dir)


def failed_rules():
    out = []
    for group in api("/api/v1/rules")["data"]["groups"]:
        out += ["%s: %s" % (rule["name"], rule.get("lastError", "")) for rule in group["rules"] if rule.get("health") != "ok"]
    return out


def check(args):
    exprs = dict(item.partition("=")[::2] for item in args.expr)
    begin = time.monotonic()
    while True:
        results, ok = {}, True
        for name, expr in exprs.items():
            try:
                results[name] = samples(expr)
            except (OSError, ValueError, KeyError) as exc:
                results[name] = "error: %s" % exc
            ok = ok and isinstance(results[name], list) and bool(results[name])
        bad = failed_rules() if args.rules_healthy else []
        ok = ok and not bad
        if ok or time.monotonic() - begin > args.timeout:
            break
        time.sleep(1)
    report = {"ok": ok, "seconds": round(time.monotonic() - begin, 1), "results": results}
    for name, expr in (item.partition("=")[::2] for item in args.show):
        report.setdefault("shown", {})[name] = samples(expr)
    if args.rules_healthy:
        report["failed_rules"] = bad
    print(json.dumps(report, sort_keys=True))
    return 0 if ok else 1


def ours(pid, directory):
    """Whether pid is still the `timeout ... prometheus` this script started for directory."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            argv = handle.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return False
    return "prometheus" in argv and "--config.file=" + os.path.join(directory, "prometheus.yml") in argv


def stop(args, quiet=False):
    try:
        with open(os.path.join(args.dir, "pid"), encoding="utf-8") as handle:
            pid = int(handle.read())
    except (OSError, ValueError):
        pid = None
    if pid is not None and not ours(pid, args.dir):
        pid = None  # that process ended, and its pid may be someone else's now
        os.remove(os.path.join(args.dir, "pid"))
    if pid is not None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.remove(os.path.join(args.dir, "pid"))
    if not quiet:
        print(json.dumps({"stopped": pid is not None, "pid": pid}))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start")
    p.add_argument("--dir", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--target", action="append", required=True, help="NAME=ADDRESS:PORT")
    p.add_argument("--interval", type=int, default=2)
    p.add_argument("--lifetime", type=int, default=1800)
    p.set_defaults(func=start)
    p = sub.add_parser("check")
    p.add_argument("--dir", required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--rules-healthy", action="store_true")
    p.add_argument("--show", action="append", default=[], help="NAME=PROMQL, evaluated once at the end and reported, not checked")
    p.add_argument("expr", nargs="+", help="NAME=PROMQL")
    p.set_defaults(func=check)
    p = sub.add_parser("stop")
    p.add_argument("--dir", required=True)
    p.set_defaults(func=stop)
    args = parser.parse_args(argv)
    args.dir = os.path.abspath(args.dir)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
