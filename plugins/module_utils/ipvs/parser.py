# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for the output of ipvsadm 1.31: pure functions from text to model objects.

- ``parse_save``: ``ipvsadm -S -n`` (the restore format: the authoritative configuration,
  except the thresholds, which -S does not print);
- ``parse_thresholds``: ``ipvsadm -L -n --thresholds`` (upper/lower thresholds, connections);
- ``parse_list``: ``ipvsadm -L -n`` (forwarding, weight, ActiveConn, InActConn);
- ``parse_counters``: ``ipvsadm -L -n --stats`` or ``--rate``, with or without ``--exact``;
- ``parse_timeouts``: ``ipvsadm -L --timeout``; ``parse_daemons``: ``ipvsadm -L --daemon``;
- ``parse_connections``: ``ipvsadm -L -n -c`` (the connection entries, persistence templates
  with ``--persistent-conn``).
"""

from __future__ import annotations

import functools
import ipaddress
import re

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSParseError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import (
    RealServer,
    ServerKey,
    ServiceKey,
    SyncDaemon,
    Timeouts,
    VirtualService,
    family_of,
)

_SERVICE_OPTS = {"-t": "tcp", "--tcp-service": "tcp", "-u": "udp", "--udp-service": "udp", "--sctp-service": "sctp"}
_METHODS = {"-g": "dr", "--gatewaying": "dr", "-m": "nat", "--masquerading": "nat", "-i": "tunnel", "--ipip": "tunnel"}
_CSUM = {"--tun-nocsum": "nocsum", "--tun-csum": "csum", "--tun-remcsum": "remcsum"}
_LIST_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "SCTP": "sctp"}
_LIST_METHODS = {"Route": "dr", "Local": "dr", "Masq": "nat", "Tunnel": "tunnel"}
_SUFFIX = {"": 1, "K": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4}
_NUMBER_RE = re.compile(r"^(\d+)([KMGT]?)$")
_TIMEOUT_RE = re.compile(r"^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)$")
_DAEMON_RE = re.compile(r"^(master|backup) sync daemon \((.*)\)$")
_EXPIRE_RE = re.compile(r"^(\d+):(\d\d)$")
_CONN_HEADER = ("IPVS connection entries", "pro expire state")
# IPVS counts a connection as active (ActiveConn) only in these states; every other entry
# (TIME_WAIT, FIN_WAIT, CLOSE, SYN_RECV, UDP, a template's ASSURED...) is inactive (InActConn).
ACTIVE_STATES = ("ESTABLISHED",)
_VERSION_RE = re.compile(r"^IP Virtual Server version (\S+) \(size=(\d+)\)$")


@functools.lru_cache(maxsize=65536)
def _normalise(host):
    """Normalised text of an address (cached: a large table repeats its real servers)."""
    return ipaddress.ip_address(host).compressed


def split_hostport(source, line, text):
    """``192.0.2.1:80`` or ``[2001:db8::1]:80`` -> (normalised address, port)."""
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise IPVSParseError(source, line, "expected address:port, got %r" % text)
    try:
        return _normalise(host), int(port)
    except ValueError:
        raise IPVSParseError(source, line, "not a numeric address: %r (was -n given?)" % host)


def _service_key_from_save(source, line, tokens, start):
    """Read the service part of a save line from tokens[start:]; return (key, next index)."""
    opt = tokens[start]
    if opt in _SERVICE_OPTS:
        addr, port = split_hostport(source, line, tokens[start + 1])
        return ServiceKey(_SERVICE_OPTS[opt], addr, port, family=family_of(addr)), start + 2
    if opt in ("-f", "--fwmark-service"):
        mark = int(tokens[start + 1])
        index = start + 2
        family = "ipv4"
        if index < len(tokens) and tokens[index] in ("-6", "--ipv6"):
            family = "ipv6"
            index += 1
        return ServiceKey("fwmark", fwmark=mark, family=family), index
    raise IPVSParseError(source, line, "expected a service option (-t, -u, --sctp-service, -f), got %r" % opt)


def _normalise_netmask(value, family):
    if family == "ipv6":
        return None if value == "128" else value
    return None if value == "255.255.255.255" else value


# The shape of most lines of a large table: a DR/NAT real server of an address service.
_FAST_SERVER_RE = re.compile(r"^-a (-t|-u|--sctp-service) (\S+) -r (\S+) (-g|-m) -w (\d+)$")


def parse_save(text):
    """Parse ``ipvsadm -S -n`` into a Table (thresholds are 0: -S does not print them)."""
    source = "ipvsadm -S -n"
    table = {}
    last = (None, None)  # (service text, VirtualService) of the previous fast-path line
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fast = _FAST_SERVER_RE.match(line)
        if fast:
            opt, svc_text, server_text, method, weight = fast.groups()
            if last[0] != (opt, svc_text):
                addr, port = split_hostport(source, line, svc_text)
                service = table.get(ServiceKey(_SERVICE_OPTS[opt], addr, port, family=family_of(addr)))
                if service is None:
                    raise IPVSParseError(source, line, "real server of a service not listed before: %s" % svc_text)
                last = ((opt, svc_text), service)
            addr, port = split_hostport(source, line, server_text)
            server = RealServer(addr, port, _METHODS[method], int(weight))
            last[1].real_servers[ServerKey(addr, port)] = server
            continue
        tokens = line.split()
        if tokens[0] == "ipvsadm":
            tokens = tokens[1:]
        try:
            _parse_save_line(source, line, tokens, table)
        except (IndexError, ValueError) as exc:
            raise IPVSParseError(source, line, str(exc))
    return table


def _parse_save_line(source, line, tokens, table):
    command = tokens[0]
    key, index = _service_key_from_save(source, line, tokens, 1)
    if command == "-A":
        service = VirtualService(key=key, scheduler="")
        while index < len(tokens):
            opt = tokens[index]
            if opt == "-s":
                service.scheduler = tokens[index + 1]
                index += 2
            elif opt == "-p":
                service.persistence_timeout = int(tokens[index + 1])
                index += 2
            elif opt == "-M":
                service.persistence_netmask = _normalise_netmask(tokens[index + 1], key.family)
                index += 2
            elif opt == "--pe":
                service.persistence_engine = tokens[index + 1]
                index += 2
            elif opt == "-o":
                service.one_packet = True
                index += 1
            elif opt == "-b":
                service.sched_flags = tuple(f for f in tokens[index + 1].split(",") if f)
                index += 2
            else:
                raise IPVSParseError(source, line, "unknown service option %r" % opt)
        if key in table:
            raise IPVSParseError(source, line, "service %s listed twice" % key)
        table[key] = service
    elif command == "-a":
        service = table.get(key)
        if service is None:
            raise IPVSParseError(source, line, "real server of a service not listed before: %s" % key)
        server = None
        kwargs = {}
        while index < len(tokens):
            opt = tokens[index]
            if opt == "-r":
                addr, port = split_hostport(source, line, tokens[index + 1])
                kwargs.update(address=addr, port=port)
                index += 2
            elif opt in _METHODS:
                kwargs["method"] = _METHODS[opt]
                index += 1
            elif opt == "-w":
                kwargs["weight"] = int(tokens[index + 1])
                index += 2
            elif opt == "-x":
                kwargs["upper_threshold"] = int(tokens[index + 1])
                index += 2
            elif opt == "-y":
                kwargs["lower_threshold"] = int(tokens[index + 1])
                index += 2
            elif opt == "--tun-type":
                kwargs["tun_type"] = tokens[index + 1]
                index += 2
            elif opt == "--tun-port":
                kwargs["tun_port"] = int(tokens[index + 1])
                index += 2
            elif opt in _CSUM:
                kwargs["tun_csum"] = _CSUM[opt]
                index += 1
            else:
                raise IPVSParseError(source, line, "unknown real server option %r" % opt)
        if "address" not in kwargs:
            raise IPVSParseError(source, line, "real server line without -r")
        server = RealServer(**kwargs)
        if server.method == "tunnel" and server.tun_type is None:
            server.tun_type = "ipip"
        service.real_servers[server.key] = server
    else:
        raise IPVSParseError(source, line, "unknown command %r" % command)


def _list_service_key(source, line, tokens):
    """Service part of a -L line: ``TCP  192.0.2.1:80 ...`` or ``FWM  1 [IPv6] ...``."""
    proto = tokens[0]
    if proto == "FWM":
        index = 2
        family = "ipv4"
        if len(tokens) > 2 and tokens[2] == "IPv6":
            family = "ipv6"
            index = 3
        return ServiceKey("fwmark", fwmark=int(tokens[1]), family=family), index
    if proto in _LIST_PROTOCOLS:
        addr, port = split_hostport(source, line, tokens[1])
        return ServiceKey(_LIST_PROTOCOLS[proto], addr, port, family=family_of(addr)), 2
    raise IPVSParseError(source, line, "unknown protocol %r" % proto)


def _is_header(line):
    return line.startswith(("IP Virtual Server version", "Prot LocalAddress", "-> RemoteAddress")) or not line


def _iter_list(text, source):
    """Yield (service key, None, tokens) for service lines and (service key, server key, tokens) for servers."""
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if _is_header(line):
            continue
        tokens = line.split()
        try:
            if tokens[0] == "->":
                if current is None:
                    raise IPVSParseError(source, line, "real server before any service")
                addr, port = split_hostport(source, line, tokens[1])
                yield current, (addr, port), tokens[2:]
            else:
                current, index = _list_service_key(source, line, tokens)
                yield current, None, tokens[index:]
        except (IndexError, ValueError) as exc:
            raise IPVSParseError(source, line, str(exc))


def parse_number(value):
    """A counter as printed by ipvsadm: exact digits, or a rounded K/M/G/T value.

    Returns (value, exact). Without --exact, ipvsadm prints values of 10^8 and more
    divided by 1000^n with a suffix: the result is a lower bound, never the real value.
    """
    match = _NUMBER_RE.match(value)
    if not match:
        raise ValueError("not a counter: %r" % value)
    return int(match.group(1)) * _SUFFIX[match.group(2)], match.group(2) == ""


def parse_counters(text, kind="stats"):
    """Parse ``-L -n --stats`` or ``--rate`` (ideally with ``--exact``).

    Returns {service key: {"counters": {...}, "exact": bool, "servers": {(addr, port): {...}}}}.
    """
    names = ("conns", "inpkts", "outpkts", "inbytes", "outbytes") if kind == "stats" else ("cps", "inpps", "outpps", "inbps", "outbps")
    source = "ipvsadm -L -n --%s" % kind
    result = {}
    for key, server, tokens in _iter_list(text, source):
        if len(tokens) != 5:
            raise IPVSParseError(source, " ".join(tokens), "expected 5 counters, got %d" % len(tokens))
        values = {}
        exact = True
        for name, token in zip(names, tokens):
            try:
                values[name], is_exact = parse_number(token)
            except ValueError as exc:
                raise IPVSParseError(source, " ".join(tokens), str(exc))
            exact = exact and is_exact
        if server is None:
            result[key] = {"counters": values, "exact": exact, "servers": {}}
        else:
            result[key]["servers"][server] = {"counters": values, "exact": exact}
    return result


def parse_list(text):
    """Parse ``ipvsadm -L -n``: per real server its forwarding, weight and connection counts."""
    source = "ipvsadm -L -n"
    result = {}
    for key, server, tokens in _iter_list(text, source):
        if server is None:
            result[key] = {"scheduler": tokens[0] if tokens else "", "servers": {}}
            continue
        if len(tokens) != 4:
            raise IPVSParseError(source, " ".join(tokens), "expected Forward Weight ActiveConn InActConn")
        result[key]["servers"][server] = {
            "forward": tokens[0],
            "method": _LIST_METHODS.get(tokens[0], tokens[0]),
            "weight": int(tokens[1]),
            "active_conns": int(tokens[2]),
            "inactive_conns": int(tokens[3]),
        }
    return result


_THRESHOLD_RE = re.compile(r"^\s*-> (\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


def parse_thresholds(text):
    """Parse ``ipvsadm -L -n --thresholds``: {service key: {(addr, port): (upper, lower, active, inactive)}}."""
    source = "ipvsadm -L -n --thresholds"
    result = {}
    servers = None
    for raw in text.splitlines():
        match = _THRESHOLD_RE.match(raw)
        if match:
            if servers is None:
                raise IPVSParseError(source, raw, "real server before any service")
            server = split_hostport(source, raw, match.group(1))
            servers[server] = (int(match.group(2)), int(match.group(3)), int(match.group(4)), int(match.group(5)))
            continue
        line = raw.strip()
        if _is_header(line):
            continue
        if line.startswith("->"):
            raise IPVSParseError(source, line, "expected Uthreshold Lthreshold ActiveConn InActConn")
        try:
            key, _index = _list_service_key(source, line, line.split())
        except (IndexError, ValueError) as exc:
            raise IPVSParseError(source, line, str(exc))
        servers = result[key] = {}
    return result


def merge_thresholds(table, thresholds):
    """Fill thresholds and connection counts from parse_thresholds() into a parsed save table."""
    for key, servers in thresholds.items():
        service = table.get(key)
        if service is None:
            continue
        for (addr, port), (upper, lower, active, inactive) in servers.items():
            server = service.real_servers.get(ServerKey(addr, port))
            if server is not None:
                server.upper_threshold = upper
                server.lower_threshold = lower
                server.active_conns = active
                server.inactive_conns = inactive
    return table


def parse_version(text):
    for raw in text.splitlines():
        match = _VERSION_RE.match(raw.strip())
        if match:
            return {"version": match.group(1), "conn_table_size": int(match.group(2))}
    return None


def parse_timeouts(text):
    for raw in text.splitlines():
        match = _TIMEOUT_RE.match(raw.strip())
        if match:
            return Timeouts(*(int(g) for g in match.groups()))
    raise IPVSParseError("ipvsadm -L --timeout", text.strip(), "no 'Timeout (tcp tcpfin udp): ...' line")


def parse_daemons(text):
    """Parse ``ipvsadm -L --daemon`` into a list of SyncDaemon (empty when none runs)."""
    daemons = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _DAEMON_RE.match(line)
        if not match:
            raise IPVSParseError("ipvsadm -L --daemon", line, "expected '<master|backup> sync daemon (...)'")
        fields = {}
        for part in match.group(2).split(", "):
            name, _sep, value = part.partition("=")
            fields[name] = value
        group = fields.get("group")
        daemons.append(
            SyncDaemon(
                role=match.group(1),
                mcast_interface=fields.get("mcast", ""),
                syncid=int(fields.get("syncid", 0)),
                sync_maxlen=int(fields["maxlen"]) if "maxlen" in fields else None,
                mcast_group=ipaddress.ip_address(group).compressed if group else None,
                mcast_port=int(fields["port"]) if "port" in fields else None,
                mcast_ttl=int(fields["ttl"]) if "ttl" in fields else None,
            )
        )
    return daemons


def parse_connections(text):
    """Parse ``ipvsadm -L -n -c`` into a list of dicts, in the kernel's order.

    Each entry: ``protocol`` (tcp, udp, sctp), ``expires`` (seconds left on its timer),
    ``state`` (as IPVS names it: ESTABLISHED, TIME_WAIT, UDP, ...; a persistence template
    shows ASSURED), ``client``, ``virtual`` and ``real_server`` (``address:port``, IPv6 in
    brackets), ``active`` (counted in ActiveConn) and ``template`` (a persistence template:
    client port 0). ``--persistent-conn`` adds two columns (persistence engine and its data),
    which are ignored.

    The persistence template of a fwmark service is an ``IP`` entry whose virtual address is
    the mark (the kernel fills it with the mark in network order: fwmark 1 is ``0.0.0.1``, or
    ``[0:1::]`` for IPv6): its ``protocol`` is ``fwmark`` and it has a ``fwmark`` key.
    """
    source = "ipvsadm -L -n -c"
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(_CONN_HEADER):
            continue
        tokens = line.split()
        if len(tokens) not in (6, 8) or (tokens[0] not in _LIST_PROTOCOLS and tokens[0] != "IP"):
            raise IPVSParseError(source, line, "expected 'pro expire state source virtual destination'")
        match = _EXPIRE_RE.match(tokens[1])
        if not match:
            raise IPVSParseError(source, line, "expected the expiry as minutes:seconds, got %r" % tokens[1])
        endpoints, addresses = [], []
        for text_ in tokens[3:6]:
            address, port = split_hostport(source, line, text_)
            addresses.append(address)
            endpoints.append("%s:%d" % ("[%s]" % address if ":" in address else address, port))
        entries.append(
            {
                "protocol": _LIST_PROTOCOLS.get(tokens[0], "fwmark"),
                "expires": int(match.group(1)) * 60 + int(match.group(2)),
                "state": tokens[2],
                "client": endpoints[0],
                "virtual": endpoints[1],
                "real_server": endpoints[2],
                "active": tokens[2] in ACTIVE_STATES,
                "template": endpoints[0].endswith(":0"),
            }
        )
        if tokens[0] == "IP":
            mark = ipaddress.ip_address(addresses[1])
            entries[-1]["fwmark"] = int(mark) >> 96 if mark.version == 6 else int(mark)
    return entries
