# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Operations -> ipvsadm argv lists (never shell strings) and ``ipvsadm -R`` lines.

Every ipvsadm command line the collection runs is built here, without the binary; the
transports of runner.py add it (the local one its path, the connection one ``ipvsadm``
through ``shlex.join``) at the last hop.

Edits always carry the full set of attributes: ``ipvsadm -E``/``-e`` reset whatever is not
given to its default (scheduler wlc, weight 1, no persistence, no flags), so a partial edit
would silently undo settings.
"""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import bracket

_PROTO_OPT = {"tcp": "-t", "udp": "-u", "sctp": "--sctp-service"}
_METHOD_OPT = {"dr": "-g", "nat": "-m", "tunnel": "-i"}
# The reads (read-only ipvsadm command lines). -S omits thresholds, hence the second read.
SAVE = ("-S", "-n")
THRESHOLDS = ("-L", "-n", "--thresholds")
LIST = ("-L", "-n")
STATS = ("-L", "-n", "--stats", "--exact")
RATE = ("-L", "-n", "--rate", "--exact")
TIMEOUTS = ("-L", "--timeout")
DAEMONS = ("-L", "--daemon")
CONNECTIONS = ("-L", "-n", "-c")
# Reads the whole batch of ``restore_script`` from standard input.
RESTORE = ("-R",)

_COMMAND = {
    "add_service": "-A",
    "edit_service": "-E",
    "delete_service": "-D",
    "add_server": "-a",
    "edit_server": "-e",
    "delete_server": "-d",
}


def service_argv(key):
    """The virtual-service selector: ``-t 192.0.2.10:80``, ``-f 1 -6`` ..."""
    if key.is_fwmark:
        argv = ["-f", str(key.fwmark)]
        if key.family == "ipv6":
            argv.append("-6")
        return argv
    return [_PROTO_OPT[key.protocol], "%s:%d" % (bracket(key.address, key.family), key.port)]


def service_options(service):
    argv = ["-s", service.scheduler]
    if service.persistence_timeout is not None:
        argv += ["-p", str(service.persistence_timeout)]
        if service.persistence_netmask is not None:
            argv += ["-M", service.persistence_netmask]
        if service.persistence_engine:
            argv += ["--pe", service.persistence_engine]
    if service.one_packet:
        argv.append("-o")
    if service.sched_flags:
        argv += ["-b", ",".join(service.sched_flags)]
    return argv


def server_endpoint(server):
    return "%s:%d" % (bracket(server.address, server.key.family), server.port)


def server_options(server, explicit_thresholds=False):
    """Forwarding, weight, thresholds, tunnel options.

    Thresholds are written when non-zero, and always on an edit (``-e`` would otherwise
    leave them to ipvsadm's default); a new real server starts at 0 anyway, so adds stay in
    the same shape as ``ipvsadm -S`` lines.
    """
    argv = [_METHOD_OPT[server.method], "-w", str(server.weight)]
    if explicit_thresholds or server.upper_threshold or server.lower_threshold:
        argv += ["-x", str(server.upper_threshold), "-y", str(server.lower_threshold)]
    if server.method == "tunnel":
        argv += ["--tun-type", server.tun_type or "ipip"]
        if server.tun_type == "gue":
            argv += ["--tun-port", str(server.tun_port)]
        if server.tun_type in ("gue", "gre") and server.tun_csum:
            argv.append("--tun-%s" % server.tun_csum)
    return argv


def op_argv(op):
    """argv (without the ipvsadm binary) of one operation from differ.Op."""
    command = _COMMAND[op.action]
    argv = [command] + service_argv(op.service.key)
    if op.action in ("add_service", "edit_service"):
        return argv + service_options(op.service)
    if op.action == "delete_service":
        return argv
    argv += ["-r", server_endpoint(op.server)]
    if op.action == "delete_server":
        return argv
    return argv + server_options(op.server, explicit_thresholds=op.action == "edit_server")


def restore_line(op):
    """One line for ``ipvsadm -R``. Safe to join: every token is validated (no blanks, no quotes)."""
    return " ".join(op_argv(op))


def restore_script(ops):
    return "".join(restore_line(op) + "\n" for op in ops)


def describe_service(service):
    """Canonical one-line rendering of a service's configuration (used for --diff)."""
    return " ".join(["-A"] + service_argv(service.key) + service_options(service))


def describe_server(service, server):
    return " ".join(["-a"] + service_argv(service.key) + ["-r", server_endpoint(server)] + server_options(server))


def timeouts_argv(values):
    """``--set tcp tcpfin udp``; 0 keeps a value unchanged."""
    return ["--set", str(values.get("tcp") or 0), str(values.get("tcpfin") or 0), str(values.get("udp") or 0)]


def start_daemon_argv(daemon):
    argv = ["--start-daemon", daemon.role, "--mcast-interface", daemon.mcast_interface, "--syncid", str(daemon.syncid)]
    if daemon.sync_maxlen is not None:
        argv += ["--sync-maxlen", str(daemon.sync_maxlen)]
    if daemon.mcast_group is not None:
        argv += ["--mcast-group", daemon.mcast_group]
    if daemon.mcast_port is not None:
        argv += ["--mcast-port", str(daemon.mcast_port)]
    if daemon.mcast_ttl is not None:
        argv += ["--mcast-ttl", str(daemon.mcast_ttl)]
    return argv


def stop_daemon_argv(role):
    return ["--stop-daemon", role]
