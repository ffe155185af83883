# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What each module does, start to end: validate, read, diff, (check mode: stop), apply, verify.

Each module is DOCUMENTATION + argument_spec + ``run(module, <function here>)``; each function
here takes the module (its ``params``, ``check_mode`` and ``_diff``) and the Runner to use.
"""

from __future__ import annotations

import os
import time

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import argv as argvlib
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import differ, parser, validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.argv import restore_line, start_daemon_argv, stop_daemon_argv, timeouts_argv
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSError, IPVSValidationError, IPVSVerifyError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import ServerKey
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.runner import LocalTransport, Runner, parse_table

# Up to this many operations run as separate ipvsadm calls (an error names its entry at once);
# more go through one ``ipvsadm -R`` followed by a verification.
BATCH_THRESHOLD = 8


def run(module, function):
    """Call ``function(module, runner)`` with a Runner on this host and exit the module with its
    result, or fail with a clear message."""
    try:
        result = function(module, Runner(LocalTransport(module)))
    except IPVSError as exc:
        extra = {}
        if isinstance(exc, IPVSVerifyError):
            extra["commands"] = exc.commands
            extra["missing"] = exc.missing
        module.fail_json(msg=str(exc), **extra)
    module.exit_json(**result)


def process_seconds():
    """How long this module process has lived (Python start-up and argument parsing included)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _converge(module, ops, batch, apply):
    """Report ``ops`` and, unless in check mode, apply them and verify.

    ``apply(ops)`` runs them and reads the table again: it returns the stderr of a batch (or "")
    and the operations still needed, which must be none, or the entries they name did not land.
    The result has ``changed``, ``commands``, ``batch`` and, when asked, ``diff``; the caller
    adds its own.
    """
    result = {
        "changed": bool(ops),
        "commands": ["ipvsadm " + restore_line(op) for op in ops],
        "batch": bool(batch and ops),
    }
    if module._diff and ops:
        result["diff"] = differ.diff_text(ops)
    if ops and not module.check_mode:
        stderr, left = apply(ops)
        if left:
            missing = ["%s (%s)" % (op.entity, op.action.replace("_", " ")) for op in left]
            if stderr:
                missing.append("ipvsadm -R said: %s" % " | ".join(stderr.splitlines()))
            raise IPVSVerifyError(missing, result["commands"])
    return result


def _apply_then(runner, batch, plan):
    """An ``apply`` for _converge: the operations one by one or in a batch, then ``plan`` of a fresh read."""

    def apply(ops):
        return runner.apply(ops, batch=batch), plan(runner.read_table())

    return apply


def _add_timings(result, module, runner):
    """Add ``timings`` to a result when the task asked for them (option ``timings``): the runner's
    phases, and on the host the life of the process. Instrumentation, not part of the result otherwise."""
    if not module.params.get("timings"):
        return
    if runner.on_host:
        runner.timings["process"] = process_seconds()
    result["timings"] = {name: round(value, 4) for name, value in runner.timings.items() if value is not None}


def _operations(ops):
    return [op.to_dict() for op in ops]


def ensure_service(module, runner):
    params = module.params
    with runner.timed("validate_read_diff"):
        desired = validate.virtual_service(params)
        manage_servers = params.get("real_servers") is not None
        if manage_servers:
            desired.real_servers = validate.real_servers(params["real_servers"], desired.key, "real_servers")
        elif params.get("purge_real_servers"):
            raise IPVSValidationError("purge_real_servers", True, "needs real_servers (the list to keep); give real_servers: [] to remove them all")
        wanted = desired if params["state"] == "present" else None

        def plan(tbl):
            return differ.diff_service(tbl.get(desired.key), wanted, manage_servers, params.get("purge_real_servers"))

        table = runner.read_table()
        ops = plan(table)
    with runner.timed("apply_and_verify"):
        batch = len(ops) > BATCH_THRESHOLD
        result = _converge(module, ops, batch, _apply_then(runner, batch, plan))
        if wanted is None:
            result["service"] = None
        elif not ops:
            result["service"] = table[desired.key].to_dict()
        elif not module.check_mode:
            result["service"] = runner.read_table()[desired.key].to_dict()
        else:
            # Check mode: the service as it would be.
            result["service"] = desired.to_dict()
            if not manage_servers and desired.key in table:
                result["service"]["real_servers"] = table[desired.key].to_dict()["real_servers"]
    result["operations"] = _operations(ops)
    _add_timings(result, module, runner)
    return result


def ensure_real_server(module, runner):
    params = module.params
    key = validate.parse_service_ref("service", params["service"])
    if params["state"] == "absent":
        address, _family = validate.address("address", params["address"])
        port = params.get("port")
        if port is None:
            port = 0 if key.is_fwmark else key.port
        server_key = ServerKey(address, validate.port("port", port, allow_zero=True))
        desired = None
    else:
        desired = validate.real_server(params, key)
        server_key = desired.key
    table = runner.read_table()
    service = table.get(key)
    if service is None:
        if desired is None:
            return {"changed": False, "commands": [], "operations": [], "batch": False, "real_server": None}
        raise IPVSValidationError(
            "service",
            params["service"],
            "this virtual service does not exist on the host; create it first (lvs.cluster.ipvs_service or lvs.cluster.ipvs_table)",
        )

    def plan(tbl):
        svc = tbl.get(key)
        if svc is None:
            return [differ.Op("add_service", service)]
        return differ.diff_server(svc, svc.real_servers.get(server_key), desired)

    ops = plan(table)
    with runner.timed("apply_and_verify"):
        result = _converge(module, ops, False, _apply_then(runner, False, plan))
    result["operations"] = _operations(ops)
    result["real_server"] = desired.to_dict() if desired is not None else None
    _add_timings(result, module, runner)
    return result


def ensure_table(module, runner, desired=None):
    """ipvs_table. ``module`` is the AnsibleModule, or from the action plugin any object with its
    ``params``, ``check_mode`` and ``_diff``, whose runner reaches ipvsadm from the controller and
    which gives the table it has already validated as ``desired``."""
    params = module.params

    def remaining(texts):
        # None: the host found the declared table (differ.table_digest), nothing came back.
        # A no-op is otherwise recognised on the raw text (no parse of 10,000 lines); anything
        # else is parsed and diffed, which names each entry that differs.
        if texts is None:
            return []
        save, thresholds = texts
        if differ.table_unchanged(save, thresholds, desired, purge=params["purge"]):
            return []
        return differ.diff_table(parse_table(save, thresholds), desired, purge=params["purge"])

    def apply(ops):
        # The batch and the read that verifies it: one round trip from the controller.
        stderr, texts = runner.apply_batch_and_read_text(ops, digest)
        return stderr, remaining(texts)

    with runner.timed("validate_read_diff"):
        if desired is None:
            desired = validate.table(params["services"])
        digest = differ.table_digest(desired)
        ops = remaining(runner.read_text(expect=digest))
    with runner.timed("apply_and_verify"):
        result = _converge(module, ops, True, apply)
    summary = {}
    for op in ops:
        summary[op.action] = summary.get(op.action, 0) + 1
    # No per-operation dicts for a table: with 10,000 changes they would double the result
    # for nothing that commands and summary do not already say.
    servers = sum(len(s.real_servers) for s in desired.values())
    result.update(
        {
            "summary": summary,
            "services_declared": len(desired),
            "real_servers_declared": servers,
            # AnsibleModule echoes every argument back as invocation.module_args: for a large table
            # that doubles the result and costs more than the whole no-op check (measured: 0.17 s of
            # scrubbing and encoding 10,000 entries in a UML guest). The counts say what was declared.
            "invocation": {
                "module_args": {
                    "purge": params["purge"],
                    "services": "%d service(s), %d real server(s): not echoed, see services_declared" % (len(desired), servers),
                }
            },
        }
    )
    _add_timings(result, module, runner)
    return result


# The wait's clock and sleep, replaced by the unit tests.
_monotonic = time.monotonic
_sleep = time.sleep


def _active(listed, only, servers):
    """Sum of ActiveConn (ipvsadm -L -n) over the real servers in ``servers`` (all when None)."""
    total = 0
    for key, entry in listed.items():
        if only is not None and key != only:
            continue
        for point, server in entry["servers"].items():
            if servers is None or point in servers:
                total += server["active_conns"]
    return total


def _connections(runner, only, servers):
    entries = parser.parse_connections(runner.read(argvlib.CONNECTIONS))
    wanted = []
    for entry in entries:
        if servers is not None and validate.endpoint("real_server", entry["real_server"]) not in servers:
            continue
        # A fwmark service's connections show the packets' own destination: not filtered by it.
        if only is not None and not only.is_fwmark and (entry["protocol"], entry["virtual"]) != (only.protocol, _virtual_text(only)):
            continue
        wanted.append(entry)
    return wanted


def _virtual_text(key):
    """A service key as the connection listing writes its virtual side."""
    return "%s:%d" % ("[%s]" % key.address if key.family == "ipv6" else key.address, key.port)


def _wait_for_drain(params, runner, only, servers):
    """Poll ActiveConn until the real servers hold at most ``wait_active_at_most``, or the timeout."""
    limit, timeout, sleep = params["wait_active_at_most"], params.get("wait_timeout", 300), params.get("wait_sleep", 1)
    start = _monotonic()
    polls = 0
    while True:
        listing = runner.read(argvlib.LIST)
        polls += 1
        active = _active(parser.parse_list(listing), only, servers)
        waited = _monotonic() - start
        if active <= limit or waited >= timeout:
            return listing, {"active": active, "at_most": limit, "waited": round(waited, 2), "polls": polls, "timed_out": active > limit, "timeout": timeout}
        _sleep(min(sleep, max(0.0, timeout - waited)))


def gather_info(module, runner):
    params = module.params
    only = validate.parse_service_ref("service", params["service"]) if params.get("service") else None
    servers = None
    if params.get("real_servers") is not None:
        servers = {validate.endpoint("real_servers", item) for item in params["real_servers"]}
    wait = None
    before = []
    if params.get("wait_active_at_most") is not None:
        for name in ("wait_active_at_most", "wait_timeout"):
            if params.get(name, 0) < 0:
                raise IPVSValidationError(name, params[name], "must be 0 or more")
        # The entries open when the wait starts: those still open at its end have been open
        # at least that long (one more read at each end, never one per poll: a busy table holds
        # a million entries).
        before = _connections(runner, only, servers) if params.get("connections") else []
        listing, wait = _wait_for_drain(params, runner, only, servers)
    table = runner.read_table()
    listing = runner.read(argvlib.LIST) if wait is None else listing
    listed = parser.parse_list(listing)
    stats = rates = {}
    if params["counters"]:
        stats = parser.parse_counters(runner.read(argvlib.STATS), "stats")
        rates = parser.parse_counters(runner.read(argvlib.RATE), "rate")
    services = []
    for key in sorted(table):
        if only is not None and key != only:
            continue
        service = table[key]
        data = service.to_dict(with_servers=False)
        data["name"] = str(key)
        if key in stats:
            data["stats"] = stats[key]["counters"]
        if key in rates:
            data["rates"] = rates[key]["counters"]
        servers_out = []
        for skey in sorted(service.real_servers):
            server = service.real_servers[skey]
            point = (server.address, server.port)
            if servers is not None and point not in servers:
                continue
            item = server.to_dict()
            item["name"] = str(skey)
            listed_server = listed.get(key, {}).get("servers", {}).get(point)
            if listed_server:
                item["forward"] = listed_server["forward"]
                item["active_conns"] = listed_server["active_conns"]
                item["inactive_conns"] = listed_server["inactive_conns"]
            if key in stats and point in stats[key]["servers"]:
                item["stats"] = stats[key]["servers"][point]["counters"]
            if key in rates and point in rates[key]["servers"]:
                item["rates"] = rates[key]["servers"][point]["counters"]
            servers_out.append(item)
        data["real_servers"] = servers_out
        services.append(data)
    result = {"changed": False, "services": services, "ipvs": parser.parse_version(listing) or {}}
    if params.get("connections"):
        seen = {(e["protocol"], e["client"], e["virtual"], e["real_server"]) for e in before}
        entries = _connections(runner, only, servers)
        for entry in entries:
            if wait is not None:
                key = (entry["protocol"], entry["client"], entry["virtual"], entry["real_server"])
                entry["open_for_at_least"] = wait["waited"] if key in seen else 0
        result["connections"] = entries
    if wait is not None:
        result["wait"] = wait
    if only is None:
        result["timeouts"] = runner.read_timeouts().to_dict()
        result["sync_daemons"] = [daemon.to_dict() for daemon in runner.read_daemons()]
    return result


def ensure_timeouts(module, runner):
    wanted = validate.timeouts(module.params)
    current = runner.read_timeouts()
    changes = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    result = {"changed": bool(changes), "commands": [], "timeouts": current.to_dict()}
    if not changes:
        return result
    args = timeouts_argv(changes)
    result["commands"] = ["ipvsadm " + " ".join(args)]
    after = dict(current.to_dict(), **changes)
    if module._diff:
        result["diff"] = {
            "before": "".join("%s: %s\n" % (n, getattr(current, n)) for n in sorted(changes)),
            "after": "".join("%s: %s\n" % (n, changes[n]) for n in sorted(changes)),
        }
    if not module.check_mode:
        runner.run(args, entity="IPVS timeouts")
        now = runner.read_timeouts()
        if any(getattr(now, name) != value for name, value in changes.items()):
            raise IPVSVerifyError(
                ["timeout %s is %s, not %s" % (n, getattr(now, n), v) for n, v in changes.items() if getattr(now, n) != v], result["commands"]
            )
        after = now.to_dict()
    result["timeouts"] = after
    return result


def _daemon_matches(current, desired):
    if current.mcast_interface != desired.mcast_interface or current.syncid != desired.syncid:
        return False
    for name in ("sync_maxlen", "mcast_group", "mcast_port", "mcast_ttl"):
        value = getattr(desired, name)
        if value is not None and getattr(current, name) != value:
            return False
    return True


def _daemon_text(daemon):
    if daemon is None:
        return ""
    return "".join("%s: %s\n" % (name, value) for name, value in sorted(daemon.to_dict().items()) if value is not None)


def ensure_sync_daemon(module, runner):
    params = module.params
    role = params["role"]
    desired = validate.sync_daemon(params) if params["state"] == "started" else None
    running = [d for d in runner.read_daemons() if d.role == role]
    current = running[0] if running else None
    commands = []
    if desired is None:
        if current is not None:
            commands.append(stop_daemon_argv(role))
    elif current is None:
        commands.append(start_daemon_argv(desired))
    elif not _daemon_matches(current, desired):
        # The kernel has no edit for a sync daemon: stop it and start it with the new options.
        commands += [stop_daemon_argv(role), start_daemon_argv(desired)]
    result = {"changed": bool(commands), "commands": ["ipvsadm " + " ".join(c) for c in commands], "sync_daemon": current.to_dict() if current else None}
    if commands and module._diff:
        result["diff"] = {"before": _daemon_text(current), "after": _daemon_text(desired)}
    if commands and not module.check_mode:
        runner.run_commands(commands)
        now = [d for d in runner.read_daemons() if d.role == role]
        if desired is None and now:
            raise IPVSVerifyError(["the %s sync daemon is still running" % role], result["commands"])
        if desired is not None and (not now or not _daemon_matches(now[0], desired)):
            state = "not running" if not now else "running with " + _daemon_text(now[0]).replace("\n", ", ")
            raise IPVSVerifyError(["the %s sync daemon is %s" % (role, state)], result["commands"])
        result["sync_daemon"] = now[0].to_dict() if now else None
    elif commands and desired is not None:
        result["sync_daemon"] = desired.to_dict()
    elif commands:
        result["sync_daemon"] = None
    return result
