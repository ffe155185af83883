# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The declared cluster beside the kernel's table: one row per real server of a director.

``real_server_rows`` joins what keepalived was given on a director (:func:`derive.director_keepalived`)
with what ``lvs.cluster.ipvs_info`` read from that director's kernel. keepalived owns the table:
it adds a real server at the weight it was given once its health check passes, and removes it
(or, with ``inhibit_on_failure``, sets it to weight 0) when the check fails. So the kernel's
weight says both whether a drain or a restore has landed and what keepalived thinks of the
server's health. drain.yml waits on ``settled``; status.yml prints the rows.

Pure code: plain dicts in, plain dicts out.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import ModelError, Problem


def service_name(vs):
    """The ipvs_info name of a derived virtual server: tcp/192.0.2.100:80, fwmark/10[/ipv6]."""
    if vs["protocol"] == "fwmark":
        return "fwmark/%d%s" % (vs["fwmark"], "/ipv6" if vs["family"] == "ipv6" else "")
    return "%s/%s:%d" % (vs["protocol"], endpoint_address(vs["vip"]), vs["port"])


def endpoint_address(address):
    return "[%s]" % address if ":" in address else address


def endpoint(address, port):
    """``address:port`` as ipvs_info writes a real server (IPv6 in brackets)."""
    return "%s:%d" % (endpoint_address(address), port)


def _health(vs, given, kernel_weight):
    """What keepalived's table says of the real server's health check."""
    if kernel_weight is None:
        return "down"  # keepalived removes a real server whose check fails
    if given > 0 and kernel_weight == 0 and vs.get("inhibit_on_failure"):
        return "down"  # inhibit_on_failure: kept at weight 0
    if given == 0 and vs.get("inhibit_on_failure"):
        return "unknown"  # weight 0 either way
    return "up"


def real_server_rows(derived, ipvs_info, pool=None):
    """One row per real server of each virtual server of ``derived`` (optionally of one ``pool``).

    Row keys: service, virtual (ipvs_info name), real_server (address:port), host, pool, state,
    declared_weight, weight (what keepalived was given: 0 unless active), kernel_weight (None
    when the kernel does not have it), active_conns, inactive_conns, health (up, down,
    unknown) and settled (the kernel holds the given weight, or does not hold a real server
    given weight 0).
    """
    if not isinstance(derived, dict) or not isinstance(ipvs_info, dict):
        raise ModelError([Problem("real_server_rows", "needs the director_keepalived result and an ipvs_info result", "pass both")])
    kernel = {}
    for svc in ipvs_info.get("services") or []:
        kernel[svc["name"]] = {rs["name"]: rs for rs in svc.get("real_servers") or []}
    rows = []
    for vs in derived.get("virtual_servers") or []:
        name = service_name(vs)
        listed = kernel.get(name, {})
        for rs in vs["real_servers"]:
            if pool is not None and rs["pool"] != pool:
                continue
            point = endpoint(rs["address"], rs["port"])
            found = listed.get(point)
            kernel_weight = found["weight"] if found else None
            given = rs["weight"]
            rows.append(
                {
                    "service": vs["name"],
                    "virtual": name,
                    "real_server": point,
                    "host": rs["host"],
                    "pool": rs["pool"],
                    "state": rs["state"],
                    "declared_weight": rs["declared_weight"],
                    "weight": given,
                    "kernel_weight": kernel_weight,
                    "active_conns": found.get("active_conns", 0) if found else 0,
                    "inactive_conns": found.get("inactive_conns", 0) if found else 0,
                    "health": _health(vs, given, kernel_weight),
                    "settled": kernel_weight == given or (kernel_weight is None and given == 0),
                }
            )
    return rows


def pool_real_servers(derived, pool):
    """Sorted unique ``address:port`` of the real servers of ``pool`` on this director (ipvs_info's real_servers)."""
    points = {endpoint(rs["address"], rs["port"]) for vs in (derived.get("virtual_servers") or []) for rs in vs["real_servers"] if rs["pool"] == pool}
    return sorted(points)


def _width(rows, key, title):
    return max([len(title)] + [len(str(r[key])) for r in rows])


COLUMNS = (
    ("service", "service"),
    ("real_server", "real server"),
    ("host", "host"),
    ("pool", "pool"),
    ("state", "state"),
    ("weight", "weight"),
    ("kernel_weight", "kernel"),
    ("health", "health"),
    ("active_conns", "active"),
    ("inactive_conns", "inactive"),
)


def table_lines(rows):
    """The rows as a fixed-width table a person reads at a glance (kernel '-' when absent)."""
    shown = [
        dict(
            r,
            kernel_weight="-" if r["kernel_weight"] is None else r["kernel_weight"],
            weight=r["weight"] if r["weight"] == r["declared_weight"] else "%s/%s" % (r["weight"], r["declared_weight"]),
        )
        for r in rows
    ]
    widths = [_width(shown, key, title) for key, title in COLUMNS]
    lines = ["  ".join(title.ljust(w) for (key, title), w in zip(COLUMNS, widths)).rstrip()]
    for row in shown:
        lines.append("  ".join(str(row[key]).ljust(w) for (key, title), w in zip(COLUMNS, widths)).rstrip())
    return lines


def health_probes(derived, pool):
    """What keepalived's health check of each real server of ``pool`` connects to, for a gate run from the director.

    One dict per (service, real server): host, service, type (TCP_CHECK, HTTP_GET, SSL_GET,
    MISC_CHECK, UDP_CHECK, DNS_CHECK, PING_CHECK), address, port (connect_port, else the real
    server's), and for HTTP_GET/SSL_GET ``url`` (http(s)://address:port/path of the first url)
    and ``status_code`` (null: any 2xx, keepalived's default). MISC_CHECK has no address to
    probe (its script decides); drain.yml's gate probes TCP and HTTP only, and leaves the UDP,
    DNS and ICMP checks to keepalived (its weights wait).
    """
    probes = []
    for vs in derived.get("virtual_servers") or []:
        check = vs["health_check"]
        for rs in vs["real_servers"]:
            if rs["pool"] != pool:
                continue
            port = check.get("connect_port") or rs["port"]
            probe = {"host": rs["host"], "service": vs["name"], "type": check["type"], "address": rs["address"], "port": port, "url": None, "status_code": None}
            if check["type"] in ("HTTP_GET", "SSL_GET") and check.get("url"):
                first = check["url"][0]
                probe["url"] = "%s://%s%s" % ("https" if check["type"] == "SSL_GET" else "http", endpoint(rs["address"], port), first["path"])
                probe["status_code"] = first["status_code"]
            probes.append(probe)
    return probes


_INET_RE = re.compile(r"\binet6? ([0-9A-Fa-f.:]+)/\d+")


def vrrp_holdings(derived, ip_addr_text):
    """Per VRRP instance of this director, which of its addresses it holds now.

    ``ip_addr_text``: the output of ``ip -o addr show`` on the director. Returns one dict per
    instance: instance, state (the configured one), priority, preemption (``preempts``,
    ``nopreempt`` or ``preempt_delay N``: whether a returning director takes the VIP back), holds (the instance's addresses
    this director carries), missing (those it does not), master (it carries them all: VRRP made
    it MASTER), services (the names of the services whose VIP the instance carries).
    """
    held = {ipaddress.ip_address(a).compressed for a in _INET_RE.findall(ip_addr_text or "")}
    result = []
    for inst in derived.get("vrrp_instances") or []:
        addresses = [ipaddress.ip_interface(v["cidr"]).ip.compressed for v in inst["virtual_ipaddress"]]
        holds = [a for a in addresses if a in held]
        services = [vs["name"] for vs in derived.get("virtual_servers") or [] if vs["vrrp_instance"] == inst["name"]]
        if inst.get("preempting", True):
            preemption = "preempts"
        elif inst.get("preempt_delay"):
            preemption = "preempt_delay %s" % inst["preempt_delay"]
        else:
            preemption = "nopreempt"
        result.append(
            {
                "instance": inst["name"],
                "state": inst["state"],
                "priority": inst["priority"],
                "preemption": preemption,
                "holds": holds,
                "missing": [a for a in addresses if a not in held],
                "master": bool(addresses) and len(holds) == len(addresses),
                "services": services,
            }
        )
    return result


def _vrrp_line(director, inst, hold=None):
    if inst["master"]:
        where = "is MASTER (holds %s)" % ", ".join(inst["holds"])
    elif not inst["holds"]:
        where = "is BACKUP (holds none of %s)" % ", ".join(inst["missing"])
    else:
        where = "holds only %s, not %s" % (", ".join(inst["holds"]), ", ".join(inst["missing"]))
    line = "%s: %s %s; configured %s, priority %s, %s" % (inst["instance"], director, where, inst["state"], inst["priority"], inst["preemption"])
    if hold:
        line += "; HELD OUT (hold file %s: FAULT, playbooks/switchover.yml)" % hold
    return line


def report_lines(statuses):
    """What status.yml prints: per VRRP instance who holds it, then each director's real servers.

    ``statuses``: one dict per director, {director, vrrp (vrrp_holdings), real_servers
    (real_server_rows), sync_daemons (ipvs_info's), hold (optional: {instance: hold file value})}. An instance that no director or more
    than one director holds whole is called out.
    """
    lines = []
    masters = {}
    for status in statuses:
        for inst in status["vrrp"]:
            masters.setdefault(inst["instance"], [])
            if inst["master"]:
                masters[inst["instance"]].append(status["director"])
            lines.append(_vrrp_line(status["director"], inst, (status.get("hold") or {}).get(inst["instance"])))
    for instance, holders in masters.items():
        if not holders:
            lines.append("WARNING: no director holds all the addresses of %s: its VIPs do not answer" % instance)
        elif len(holders) > 1:
            lines.append("WARNING: %s is held by %s at once (split brain)" % (instance, ", ".join(holders)))
    for status in statuses:
        daemons = ", ".join(d["role"] for d in status.get("sync_daemons") or []) or "none"
        lines.append("--- %s (IPVS sync daemons: %s)" % (status["director"], daemons))
        lines.extend(table_lines(status["real_servers"]))
    return lines


# --- planned switchover (playbooks/switchover.yml) ----------------------------------------


def _refuse(message, fix, variable="lvs_switchover_instance"):
    raise ModelError([Problem(variable, message, fix)])


def _instance_of(status, instance):
    for inst in status.get("vrrp") or []:
        if inst["instance"] == instance:
            return inst
    return None


def switchover_plan(statuses, instance, to=None):
    """Which director gives ``instance`` up and which takes it, or why the switchover is refused.

    ``statuses``: one dict per director, as status.yml gathers them plus ``keepalived_active``
    (bool), ``hold`` ({instance: the hold file's value, or None without a file}) and
    ``sync_expected`` (the role runs the sync daemons there). ``to``: the director to move to
    (needed with more than two directors). Returns {instance, from, to, addresses, services,
    noop}; ``noop`` when ``to`` already holds the instance. Raises ModelError naming what is wrong
    before anything changes: an instance that preempts (the VIP would come straight back when the
    hold is released), no holder or two, a target that is not healthy (keepalived down, held out,
    no backup sync daemon, no real server up for one of the instance's services).
    """
    members = [s for s in statuses or [] if _instance_of(s, instance) is not None]
    if not members:
        known = sorted({i["instance"] for s in statuses or [] for i in s.get("vrrp") or []})
        _refuse("no director has VRRP instance %r" % (instance,), "use one of: %s" % (", ".join(known) or "none"))
    first = _instance_of(members[0], instance)
    if first["preemption"] == "preempts":
        _refuse(
            "%s preempts (nopreempt: false): its highest priority would take the VIP back as soon as the hold is released" % instance,
            "declare the instance without nopreempt: false (nopreempt is the default), or with preempt_delay, and run site.yml first",
        )
    holders = [s["director"] for s in members if _instance_of(s, instance)["master"]]
    if not holders:
        _refuse(
            "no director holds all the addresses of %s now, so there is nothing to move" % instance,
            "see playbooks/status.yml and keepalived's journal on the directors",
        )
    if len(holders) > 1:
        _refuse("%s is held by %s at once (split brain)" % (instance, ", ".join(holders)), "see playbooks/status.yml; a switchover cannot choose between them")
    source = holders[0]
    names = [s["director"] for s in members]
    if to is not None and to not in names:
        _refuse("%r is not a director of %s (its directors: %s)" % (to, instance, ", ".join(names)), "name one of them", "lvs_switchover_to")
    others = [n for n in names if n != source]
    if to is None:
        if len(others) != 1:
            _refuse(
                "%s has %d directors besides %s" % (instance, len(others), source),
                "name the one to move to: -e lvs_switchover_to=%s" % (others[0] if others else "..."),
                "lvs_switchover_to",
            )
        to = others[0]
    services = first["services"]
    source_status = [s for s in members if s["director"] == source][0]
    plan = {
        "instance": instance,
        "from": source,
        "to": to,
        # The holder carries every address of the instance (that is what made it the holder).
        "addresses": _instance_of(source_status, instance)["holds"],
        "services": services,
        "noop": to == source,
    }
    if plan["noop"]:
        return plan
    target = [s for s in members if s["director"] == to][0]
    reasons = []
    if (source_status.get("hold") or {}).get(instance) is None:
        reasons.append("%s has no hold file for %s (keepalived.conf from an older version of lvs.cluster.director)" % (source, instance))
    if not target.get("keepalived_active"):
        reasons.append("keepalived is not running on %s" % to)
    held = (target.get("hold") or {}).get(instance)
    if held is None:
        reasons.append("%s has no hold file for %s (keepalived.conf from an older version of lvs.cluster.director)" % (to, instance))
    elif held != 0:
        reasons.append("%s is held out of %s (its hold file says %s: FAULT)" % (to, instance, held))
    if _instance_of(target, instance)["holds"]:
        reasons.append("%s already carries %s of the addresses" % (to, ", ".join(_instance_of(target, instance)["holds"])))
    if target.get("sync_expected") and not [d for d in target.get("sync_daemons") or [] if d.get("role") == "backup"]:
        reasons.append("%s runs no backup IPVS sync daemon, so it does not hold the connections" % to)
    for service in services:
        up = [r for r in target.get("real_servers") or [] if r["service"] == service and r["health"] == "up" and (r["kernel_weight"] or 0) > 0]
        if not up:
            reasons.append("service %s has no real server up with a weight above 0 on %s" % (service, to))
    if reasons:
        _refuse(
            "%s cannot move from %s to %s: %s" % (instance, source, to, "; ".join(reasons)),
            "fix %s first (playbooks/status.yml shows its state; site.yml puts the configuration back); nothing was changed" % to,
            "lvs_switchover_to",
        )
    return plan


def _virtual_address(virtual):
    """The address of ipvs_info's ``virtual`` (``192.0.2.100:80``, ``[2001:db8::1]:80``, ``fwmark/10``)."""
    if virtual.startswith("fwmark"):
        return None
    return ipaddress.ip_address(virtual.rsplit(":", 1)[0].strip("[]")).compressed


def unsynced_connections(holder, target, addresses):
    """The holder's established connections to ``addresses`` that the target's table lacks.

    ``holder``/``target``: ipvs_info ``connections`` of each director. Compared by protocol,
    client and virtual address; any state on the target counts (the sync daemon carries the
    state the holder had when it sent it).
    """
    wanted = {ipaddress.ip_address(a).compressed for a in addresses or []}
    have = {(c["protocol"], c["client"], c["virtual"]) for c in target or []}
    return [
        c
        for c in holder or []
        if c["state"] == "ESTABLISHED"
        and not c.get("template")
        and _virtual_address(c["virtual"]) in wanted
        and (c["protocol"], c["client"], c["virtual"]) not in have
    ]
