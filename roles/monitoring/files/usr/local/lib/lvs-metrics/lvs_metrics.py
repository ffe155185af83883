# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lvs.cluster director metrics for node_exporter's textfile collector (docs/monitoring.md).

What no package exports, read each run (lvs-metrics.timer) and written atomically into one
``.prom`` file of the textfile directory:

- per VRRP instance, keepalived's own JSON dump (SIGJSON, keepalived 2.2.7 ``vrrp_json.c``):
  state, base and effective priority, become/release master counts, the time of the last
  transition, adverts sent and received (never the ``auth_data`` the dump also carries);
- the IPVS sync daemons (``ipvsadm -L --daemon``, read with the collection's own parser);
- the size of the IPVS connection table by origin (``/proc/net/ip_vs_conn_sync``);
- per declared service (from the role's config), the live weight of its real servers in the
  IPVS table (``ipvsadm -S -n``, the collection's parser) against the declared quorum.

Each source fails on its own (``lvs_metrics_source_up{source}`` 0, the reason on stderr, i.e.
in the journal); the file is still written with the others.
  python3 lvs_metrics.py --config /etc/lvs-metrics/config.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# The role ships the collection's ipvs parser beside this file, in its collection path, so
# that one parser reads ipvsadm output on the controller, in modules and here.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.append(_HERE)

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import parser as ipvs_parser  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import ServerKey, ServiceKey  # noqa: E402  pylint: disable=wrong-import-position

# keepalived 2.2.7 include/vrrp.h VRRP_STATE_*.
VRRP_STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER", 3: "FAULT", 97: "DELETED", 98: "STOP"}
STATE_NAMES = ("INIT", "BACKUP", "MASTER", "FAULT", "STOP", "DELETED")
SOURCES = ("keepalived", "sync_daemons", "connections", "services")

HELP = {
    "lvs_keepalived_up": ("gauge", "1 when keepalived's VRRP process answered the JSON dump signal in time."),
    "lvs_vrrp_state": ("gauge", "VRRP instance state as keepalived reports it: 1 for the current state, 0 for the others."),
    "lvs_vrrp_priority": ("gauge", "Effective VRRP priority (base priority changed by tracked scripts and interfaces)."),
    "lvs_vrrp_base_priority": ("gauge", "Configured VRRP priority."),
    "lvs_vrrp_vips_set": ("gauge", "1 when keepalived has the instance's virtual addresses set on this host."),
    "lvs_vrrp_become_master_total": ("counter", "Transitions into MASTER since keepalived started."),
    "lvs_vrrp_release_master_total": ("counter", "Transitions out of MASTER since keepalived started."),
    "lvs_vrrp_last_transition_timestamp_seconds": ("gauge", "Unix time of the instance's last state transition."),
    "lvs_vrrp_advertisements_received_total": ("counter", "VRRP adverts received."),
    "lvs_vrrp_advertisements_sent_total": ("counter", "VRRP adverts sent."),
    "lvs_ipvs_sync_daemon_expected": ("gauge", "1 when this director is configured to run both IPVS sync daemons."),
    "lvs_ipvs_sync_daemon_up": ("gauge", "1 when the IPVS sync daemon of this role (master, backup) runs."),
    "lvs_ipvs_sync_daemon_info": ("gauge", "The running IPVS sync daemon's interface and sync ID."),
    "lvs_ipvs_connection_entries": ("gauge", "Entries in the IPVS connection table (templates included), by origin."),
    "lvs_service_quorum": ("gauge", "Declared quorum of the service (lvs_services[].quorum)."),
    "lvs_service_in_ipvs": ("gauge", "1 when the service is in this director's IPVS table."),
    "lvs_service_real_servers": ("gauge", "Real servers declared for the service."),
    "lvs_service_live_real_servers": ("gauge", "Declared real servers in the IPVS table with a weight above 0."),
    "lvs_service_live_weight": ("gauge", "Sum of the weights of the service's live real servers (what keepalived compares with quorum)."),
    "lvs_service_sorry_server_active": ("gauge", "1 when the service's sorry server is in the IPVS table."),
    "lvs_metrics_source_up": ("gauge", "1 when the source was read this run."),
    "lvs_metrics_last_run_timestamp_seconds": ("gauge", "Unix time this file was written."),
    "lvs_metrics_run_duration_seconds": ("gauge", "Seconds the collector took this run."),
}


class SourceError(Exception):
    """One source could not be read; the message says which and why."""


# ---- pure parts: recorded input -> samples -------------------------------------------------
def vrrp_samples(dump):
    """keepalived's JSON dump (a list of {data, stats}) -> [(name, labels, value)]."""
    samples = []
    for entry in dump:
        data, stats = entry.get("data", {}), entry.get("stats", {})
        labels = {"vrrp_instance": data["iname"], "vrid": str(data.get("vrid", "")), "interface": data.get("ifp_ifname", "")}
        state = VRRP_STATES.get(data.get("state"), "UNKNOWN")
        for name in STATE_NAMES:
            samples.append(("lvs_vrrp_state", dict(labels, state=name), 1 if name == state else 0))
        samples.append(("lvs_vrrp_priority", labels, data.get("effective_priority", 0)))
        samples.append(("lvs_vrrp_base_priority", labels, data.get("base_priority", 0)))
        samples.append(("lvs_vrrp_vips_set", labels, 1 if data.get("vipset") else 0))
        samples.append(("lvs_vrrp_last_transition_timestamp_seconds", labels, data.get("last_transition", 0)))
        for name, key in (
            ("lvs_vrrp_become_master_total", "become_master"),
            ("lvs_vrrp_release_master_total", "release_master"),
            ("lvs_vrrp_advertisements_received_total", "advert_rcvd"),
            ("lvs_vrrp_advertisements_sent_total", "advert_sent"),
        ):
            samples.append((name, labels, stats.get(key, 0)))
    return samples


def sync_daemon_samples(daemons, expected):
    """[SyncDaemon] from parse_daemons -> samples; both roles always reported."""
    samples = [("lvs_ipvs_sync_daemon_expected", {}, 1 if expected else 0)]
    running = dict((d.role, d) for d in daemons)
    for role in ("master", "backup"):
        samples.append(("lvs_ipvs_sync_daemon_up", {"role": role}, 1 if role in running else 0))
        if role in running:
            samples.append(("lvs_ipvs_sync_daemon_info", {"role": role, "interface": running[role].mcast_interface, "syncid": str(running[role].syncid)}, 1))
    return samples


def count_connections(lines):
    """Lines of /proc/net/ip_vs_conn_sync -> {"local": n, "sync": n} (the header skipped)."""
    counts = {"local": 0, "sync": 0}
    for line in lines:
        fields = line.split()
        # Pro FromIP FPrt ToIP TPrt DestIP DPrt State Origin Expires
        if len(fields) < 10 or fields[0] == "Pro":
            continue
        origin = fields[-2].lower()
        counts[origin] = counts.get(origin, 0) + 1
    return counts


def connection_samples(counts):
    return [("lvs_ipvs_connection_entries", {"origin": origin}, n) for origin, n in sorted(counts.items())]


def _service_key(service):
    if service["protocol"] == "fwmark":
        return ServiceKey("fwmark", fwmark=int(service["fwmark"]), family=service.get("family", "ipv4"))
    return ServiceKey(
        service["protocol"], ipvs_parser.split_hostport("config", "", _hostport(service))[0], int(service["port"]), family=service.get("family", "ipv4")
    )


def _hostport(service):
    address = service["address"]
    return "[%s]:%s" % (address, service["port"]) if ":" in address else "%s:%s" % (address, service["port"])


def service_samples(services, table):
    """Declared services (the role's config) against the IPVS table from parse_save."""
    samples = []
    for service in services:
        labels = {"service": service["name"]}
        current = table.get(_service_key(service))
        sorry = service.get("sorry_server")
        sorry_key = None
        if sorry:
            sorry_key = ServerKey(ipvs_parser.split_hostport("config", "", _hostport(sorry))[0], int(sorry["port"]))
        live = [rs for key, rs in sorted((current.real_servers if current else {}).items()) if key != sorry_key and rs.weight > 0]
        samples.append(("lvs_service_quorum", labels, service.get("quorum", 1)))
        samples.append(("lvs_service_in_ipvs", labels, 1 if current is not None else 0))
        samples.append(("lvs_service_real_servers", labels, service.get("real_servers", 0)))
        samples.append(("lvs_service_live_real_servers", labels, len(live)))
        samples.append(("lvs_service_live_weight", labels, sum(rs.weight for rs in live)))
        samples.append(("lvs_service_sorry_server_active", labels, 1 if current is not None and sorry_key in current.real_servers else 0))
    return samples


def _escape(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(int(value))


def render(samples):
    """Samples -> Prometheus text exposition, one HELP/TYPE per metric, in HELP's order."""
    by_name = {}
    for name, labels, value in samples:
        if name not in HELP:
            raise ValueError("metric %s has no HELP text" % name)
        by_name.setdefault(name, []).append((labels, value))
    out = []
    for name in HELP:
        if name not in by_name:
            continue
        kind, text = HELP[name]
        out.append("# HELP %s %s" % (name, text))
        out.append("# TYPE %s %s" % (name, kind))
        for labels, value in by_name[name]:
            label_text = ",".join('%s="%s"' % (k, _escape(v)) for k, v in sorted(labels.items()))
            out.append("%s%s %s" % (name, "{%s}" % label_text if label_text else "", _number(value)))
    return "\n".join(out) + "\n"


def write_atomic(path, text):
    """Write ``path`` through a temporary file in its directory and a rename, so node_exporter
    never reads half a file (its textfile collector documents this way)."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---- the edges: keepalived, ipvsadm, /proc --------------------------------------------------
def keepalived_dump(pidfile, json_path, signum, timeout, kill=os.kill, clock=time.time, sleep=time.sleep):
    """Signal keepalived to dump its VRRP state as JSON and return the parsed dump.

    keepalived 2.2.7 writes the file through ``fopen_safe``, which renames its temporary file
    into place *before* writing into it: a reader can see an empty or truncated file. So the
    file counts only once it is newer than the signal and parses.
    """
    try:
        with open(pidfile, encoding="ascii") as handle:
            pid = int(handle.read().strip())
    except (OSError, ValueError) as exc:
        raise SourceError("keepalived: cannot read its pid from %s (%s): is it running?" % (pidfile, exc))
    sent = clock()
    try:
        kill(pid, signum)
    except OSError as exc:
        raise SourceError("keepalived: cannot signal pid %d from %s (%s)" % (pid, pidfile, exc))
    last = "no file"
    while True:
        try:
            if os.stat(json_path).st_mtime >= sent - 1:
                with open(json_path, encoding="utf-8") as handle:
                    return json.load(handle)
            last = "the file is older than the signal"
        except FileNotFoundError:
            last = "no file"
        except ValueError as exc:
            last = "not complete JSON yet (%s)" % exc
        if clock() - sent > timeout:
            raise SourceError("keepalived: no JSON dump in %s within %ss of signal %d to pid %d (%s)" % (json_path, timeout, signum, pid, last))
        sleep(0.05)


def json_signal(keepalived="keepalived"):
    """The signal number keepalived uses for its JSON dump (``keepalived --signum=JSON``)."""
    out = _run([keepalived, "--signum=JSON"], "keepalived")
    try:
        return int(out.strip())
    except ValueError:
        raise SourceError("keepalived: --signum=JSON printed %r: this keepalived is not built with JSON" % out)


def _run(argv, source):
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError("%s: %s failed: %s" % (source, " ".join(argv), exc))
    if result.returncode != 0:
        raise SourceError("%s: %s failed (rc=%d): %s" % (source, " ".join(argv), result.returncode, result.stderr.strip()))
    return result.stdout


def collect(config, run=_run, dump=keepalived_dump, signum=json_signal, proc_conn="/proc/net/ip_vs_conn_sync"):
    """Every source -> (samples, [error messages])."""
    samples, errors, up = [], [], {}
    ka = config.get("keepalived", {})

    def attempt(source, func):
        try:
            samples.extend(func())
            up[source] = 1
        except (SourceError, ipvs_parser.IPVSParseError, KeyError, TypeError) as exc:
            errors.append(str(exc))
            up[source] = 0

    attempt(
        "keepalived",
        lambda: vrrp_samples(
            dump(ka.get("pidfile", "/run/keepalived.pid"), ka.get("json", "/tmp/keepalived.json"), signum(ka.get("binary", "keepalived")), ka.get("timeout", 5))
        ),
    )
    samples.append(("lvs_keepalived_up", {}, up["keepalived"]))
    ipvsadm = config.get("ipvsadm", "ipvsadm")
    attempt(
        "sync_daemons",
        lambda: sync_daemon_samples(ipvs_parser.parse_daemons(run([ipvsadm, "-L", "--daemon"], "sync_daemons")), config.get("sync_daemons_expected", True)),
    )
    if config.get("connections", True):
        attempt("connections", lambda: connection_samples(_read_connections(proc_conn)))
    services = config.get("services", [])
    if services:
        attempt("services", lambda: service_samples(services, ipvs_parser.parse_save(run([ipvsadm, "-S", "-n"], "services"))))
    for source in SOURCES:
        if source in up:
            samples.append(("lvs_metrics_source_up", {"source": source}, up[source]))
    return samples, errors


def _read_connections(path):
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return count_connections(handle)
    except OSError as exc:
        raise SourceError("connections: cannot read %s (%s): is ip_vs loaded?" % (path, exc))


def load_config(path):
    """Read and check the role's configuration; ValueError names the file and the problem."""
    with open(path, encoding="utf-8") as handle:
        try:
            config = json.load(handle)
        except ValueError as exc:
            raise ValueError("%s: not JSON: %s" % (path, exc))
    if not isinstance(config.get("textfile"), str) or not config["textfile"].startswith("/"):
        raise ValueError("%s: textfile must be an absolute path" % path)
    for service in config.get("services", []):
        try:
            _service_key(service)
            if service.get("sorry_server"):
                _hostport(service["sorry_server"])
        except (KeyError, TypeError, ValueError, ipvs_parser.IPVSParseError) as exc:
            raise ValueError("%s: service %r: %s" % (path, service.get("name"), exc))
    return config


def main(argv=None):
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--config", default="/etc/lvs-metrics/config.json")
    args.add_argument("--stdout", action="store_true", help="print the metrics instead of writing the textfile")
    args.add_argument("--check-config", action="store_true", help="check the configuration and exit")
    opts = args.parse_args(argv)
    started = time.time()
    try:
        config = load_config(opts.config)
    except (OSError, ValueError) as exc:
        print("lvs-metrics: %s" % exc, file=sys.stderr)
        return 2
    if opts.check_config:
        return 0
    samples, errors = collect(config)
    samples.append(("lvs_metrics_last_run_timestamp_seconds", {}, round(time.time(), 3)))
    samples.append(("lvs_metrics_run_duration_seconds", {}, round(time.time() - started, 6)))
    text = render(samples)
    for message in errors:
        print("lvs-metrics: %s" % message, file=sys.stderr)
    if opts.stdout:
        sys.stdout.write(text)
    else:
        write_atomic(config["textfile"], text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
