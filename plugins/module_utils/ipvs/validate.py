# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turn user input into model objects, or raise IPVSValidationError naming field, value and why.

Everything here runs before any command: a bad request never half-applies.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSValidationError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import (
    GENERIC_SCHED_FLAGS,
    MAX_FWMARK,
    MAX_PERSISTENCE_TIMEOUT,
    MAX_PORT,
    MAX_THRESHOLD,
    MAX_WEIGHT,
    METHODS,
    PERSISTENCE_ENGINES,
    PROTOCOLS,
    SCHED_FLAG_NAMES,
    SCHEDULERS,
    TUN_CSUM,
    TUN_TYPES,
    RealServer,
    ServiceKey,
    SyncDaemon,
    VirtualService,
)

_SERVICE_RE = re.compile(r"^(?P<proto>tcp|udp|sctp)/(?P<host>\[[^\]]*\]|[^:/\[\]]+):(?P<port>\d+)$")
_FWMARK_RE = re.compile(r"^fwmark/(?P<mark>\d+)(?:/(?P<family>ipv4|ipv6))?$")
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")


def _int_range(field, value, low, high, what="an integer"):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value), 10)
        except ValueError:
            raise IPVSValidationError(field, value, "must be %s between %d and %d" % (what, low, high))
    if not low <= value <= high:
        raise IPVSValidationError(field, value, "must be between %d and %d" % (low, high))
    return value


@functools.lru_cache(maxsize=65536)
def _checked_address(text):
    """(normalised, family) of an address text, or (None, reason): cached for large tables."""
    inner = text
    if text.startswith("[") or text.endswith("]"):
        if not (text.startswith("[") and text.endswith("]")):
            if text.startswith("[") and "]:" in text:
                return None, "must not include a port: give the port in the port field"
            return None, "unbalanced brackets around an IPv6 address"
        inner = text[1:-1]
    try:
        addr = ipaddress.ip_address(inner)
    except ValueError:
        if re.match(r"^\d{1,3}(\.\d{1,3}){3}:\d+$", text):
            return None, "must not include a port: give the port in the port field"
        return None, ("is not an IPv4 or IPv6 address (host names are not accepted: the kernel table holds addresses, and names would make every run differ)")
    if inner is not text and addr.version == 4:
        return None, "brackets are only for IPv6 addresses"
    if addr.is_multicast or addr.is_unspecified:
        return None, "a multicast or unspecified address cannot be a virtual or real server"
    return addr.compressed, "ipv6" if addr.version == 6 else "ipv4"


def address(field, value):
    """Validate an IP address; return (normalised address, family).

    IPv6 may be written bare or in brackets; a port is never part of an address field.
    """
    text = str(value).strip() if value is not None else ""
    if not text:
        raise IPVSValidationError(field, value, "an IPv4 or IPv6 address is required")
    normalised, detail = _checked_address(text)
    if normalised is None:
        raise IPVSValidationError(field, value, detail)
    return normalised, detail


def port(field, value, allow_zero=False):
    return _int_range(field, value, 0 if allow_zero else 1, MAX_PORT, "a port number")


def endpoint(field, value):
    """``192.0.2.21:80`` or ``[2001:db8::21]:80`` -> (normalised address, port), as ipvsadm -n prints them."""
    text = str(value).strip() if value is not None else ""
    if text.startswith("["):
        host, sep, port_text = text[1:].partition("]:")
    else:
        host, sep, port_text = text.rpartition(":")
        if ":" in host:
            sep = ""  # a bare IPv6 address: its port would be ambiguous
    if not sep:
        raise IPVSValidationError(field, value, "must be address:port, with an IPv6 address in brackets ([2001:db8::21]:80)")
    normalised, _family = address(field, host)
    return normalised, port(field, port_text, allow_zero=True)


def parse_service_ref(field, value):
    """Parse a service reference: ``tcp/192.0.2.10:80``, ``udp/[2001:db8::10]:53``, ``fwmark/1[/ipv6]``."""
    text = str(value or "").strip()
    match = _FWMARK_RE.match(text)
    if match:
        mark = _int_range(field, int(match.group("mark")), 1, MAX_FWMARK, "a firewall mark")
        return ServiceKey("fwmark", fwmark=mark, family=match.group("family") or "ipv4")
    match = _SERVICE_RE.match(text)
    if not match:
        if re.match(r"^(tcp|udp|sctp)/[0-9A-Fa-f:]*::?[0-9A-Fa-f:.]*$", text) and text.count(":") >= 3:
            raise IPVSValidationError(field, value, "an IPv6 address with a port must be written in brackets, for example tcp/[2001:db8::10]:80")
        if re.match(r"^fwmark/", text):
            raise IPVSValidationError(field, value, "a fwmark service is written fwmark/<mark> or fwmark/<mark>/ipv6, without a port")
        raise IPVSValidationError(field, value, "must look like tcp/192.0.2.10:80, udp/[2001:db8::10]:53, sctp/...:N or fwmark/1[/ipv6]")
    addr, family = address(field, match.group("host"))
    return ServiceKey(match.group("proto"), addr, port(field, match.group("port"), allow_zero=True), family=family)


def service_key(params, prefix=""):
    """Build the ServiceKey from protocol/address/port or fwmark/family fields."""
    protocol = params.get("protocol") or "tcp"
    if protocol == "fwmark" or params.get("fwmark") is not None:
        if protocol != "fwmark":
            raise IPVSValidationError(prefix + "fwmark", params.get("fwmark"), "is only valid with protocol: fwmark (got protocol %s)" % protocol)
        if params.get("fwmark") is None:
            raise IPVSValidationError(prefix + "fwmark", None, "is required with protocol: fwmark")
        if params.get("port") is not None:
            raise IPVSValidationError(prefix + "port", params.get("port"), "a fwmark service has no port (the mark selects the packets)")
        if params.get("address") is not None:
            raise IPVSValidationError(
                prefix + "address", params.get("address"), "a fwmark service has no address (the mark selects the packets); use family: ipv6 for IPv6"
            )
        mark = _int_range(prefix + "fwmark", params["fwmark"], 1, MAX_FWMARK, "a firewall mark")
        return ServiceKey("fwmark", fwmark=mark, family=params.get("family") or "ipv4")
    if protocol not in PROTOCOLS:
        raise IPVSValidationError(prefix + "protocol", protocol, "must be one of tcp, udp, sctp, fwmark")
    if params.get("address") is None:
        raise IPVSValidationError(prefix + "address", None, "is required for a %s service" % protocol)
    if params.get("port") is None:
        raise IPVSValidationError(prefix + "port", None, "is required for a %s service (0 only with persistence)" % protocol)
    addr, family = address(prefix + "address", params["address"])
    if params.get("family") and params["family"] != family:
        raise IPVSValidationError(prefix + "family", params["family"], "does not match the address %s (%s)" % (addr, family))
    return ServiceKey(protocol, addr, port(prefix + "port", params["port"], allow_zero=True), family=family)


def sched_flags(field, scheduler, flags):
    """Validate scheduler flags and return them in ipvsadm's canonical names and order."""
    flags = list(flags or [])
    own = SCHED_FLAG_NAMES.get(scheduler)
    allowed = own if own else GENERIC_SCHED_FLAGS
    canonical = []
    for flag in flags:
        name = str(flag).strip()
        if own and name in ("flag-1", "flag-2"):
            name = own[int(name[-1]) - 1]
        if name not in allowed:
            if own:
                reason = "the %s scheduler accepts only %s" % (scheduler, ", ".join(own))
            elif name.startswith(("sh-", "mh-")):
                reason = "%s is a flag of the %s scheduler, not of %s" % (name, name[:2], scheduler)
            else:
                reason = "unknown scheduler flag; %s accepts %s" % (scheduler, ", ".join(allowed))
            raise IPVSValidationError(field, flag, reason)
        if name not in canonical:
            canonical.append(name)
    return tuple(name for name in allowed if name in canonical)


def thresholds(lower_field, upper_name, upper, lower):
    """IPVS marks a real server overloaded at ``upper`` connections and clears it below ``lower``
    (3/4 of ``upper`` when 0); a ``lower`` above ``upper`` would clear it at once. 0: no limit."""
    if upper and lower > upper:
        raise IPVSValidationError(lower_field, lower, "must not exceed %s (%d)" % (upper_name, upper))


def netmask(field, value, family):
    """Persistence netmask: dotted mask or prefix length for IPv4, prefix length for IPv6.

    Returns None for the default (per-client granularity), as ``ipvsadm -S`` omits it.
    """
    if value is None:
        return None
    text = str(value).strip().lstrip("/")
    if family == "ipv6":
        prefix = _int_range(field, text, 1, 128, "an IPv6 prefix length")
        return None if prefix == 128 else str(prefix)
    try:
        net = ipaddress.IPv4Network("0.0.0.0/%s" % text)
    except ValueError:
        raise IPVSValidationError(field, value, "must be an IPv4 netmask such as 255.255.255.0 or a prefix length 0-32")
    mask = str(net.netmask)
    return None if mask == "255.255.255.255" else mask


def virtual_service(params, prefix=""):
    """Build a VirtualService (without real servers) from module-style parameters."""
    key = service_key(params, prefix)
    scheduler = params.get("scheduler") or "wlc"
    if scheduler not in SCHEDULERS:
        raise IPVSValidationError(prefix + "scheduler", scheduler, "unknown scheduler; ipvsadm 1.31 knows %s" % ", ".join(SCHEDULERS))
    flags = sched_flags(prefix + "scheduler_flags", scheduler, params.get("scheduler_flags"))
    timeout = params.get("persistence_timeout")
    if timeout is not None:
        timeout = _int_range(prefix + "persistence_timeout", timeout, 1, MAX_PERSISTENCE_TIMEOUT, "a number of seconds")
    mask = params.get("persistence_netmask")
    engine = params.get("persistence_engine")
    if timeout is None:
        if mask is not None:
            raise IPVSValidationError(prefix + "persistence_netmask", mask, "only applies to a persistent service: set persistence_timeout too")
        if engine is not None:
            raise IPVSValidationError(prefix + "persistence_engine", engine, "only applies to a persistent service: set persistence_timeout too")
        if not key.is_fwmark and key.port == 0:
            raise IPVSValidationError(prefix + "port", 0, "port 0 (all ports) is only valid for a persistent service: set persistence_timeout")
    if engine is not None and engine not in PERSISTENCE_ENGINES:
        raise IPVSValidationError(prefix + "persistence_engine", engine, "the only persistence engine is sip")
    one_packet = bool(params.get("one_packet"))
    if one_packet and key.protocol in ("tcp", "sctp"):
        raise IPVSValidationError(
            prefix + "one_packet", True, "one-packet scheduling is for UDP (or a fwmark service carrying only UDP), not %s" % key.protocol
        )
    return VirtualService(
        key=key,
        scheduler=scheduler,
        sched_flags=flags,
        persistence_timeout=timeout,
        persistence_netmask=netmask(prefix + "persistence_netmask", mask, key.family),
        persistence_engine=engine,
        one_packet=one_packet,
    )


REAL_SERVER_KEYS = ("address", "port", "method", "weight", "upper_threshold", "lower_threshold", "tun_type", "tun_port", "tun_csum")


def real_server(params, key, prefix="", check_keys=False):
    """Build a RealServer of the service ``key`` from module-style parameters.

    ``check_keys``: refuse unknown keys (for lists that the argument_spec does not check).
    """
    if check_keys:
        if not isinstance(params, dict):
            raise IPVSValidationError(prefix.rstrip("."), params, "each real server must be a dictionary with at least an address")
        unknown = sorted(set(params) - set(REAL_SERVER_KEYS))
        if unknown:
            raise IPVSValidationError(prefix + unknown[0], params[unknown[0]], "unknown real server option; the options are %s" % ", ".join(REAL_SERVER_KEYS))
    addr, family = address(prefix + "address", params.get("address"))
    method = params.get("method") or "dr"
    if method not in METHODS:
        raise IPVSValidationError(prefix + "method", method, "must be one of dr, nat, tunnel")
    rport = params.get("port")
    if key.is_fwmark:
        # 0: keep the destination port of each packet.
        rport = 0 if rport is None else port(prefix + "port", rport, allow_zero=True)
    elif method in ("dr", "tunnel"):
        # ipvsadm forces the service port for dr and tunnel servers; refuse a different one
        # rather than silently getting something else (and a change on every run).
        if rport is not None and int(rport) != key.port:
            raise IPVSValidationError(
                prefix + "port", rport, "a %s real server uses the service port %d; only nat (masquerading) can map to another port" % (method, key.port)
            )
        rport = key.port
    else:
        rport = key.port if rport is None else port(prefix + "port", rport, allow_zero=key.port == 0)
    if family != key.family and method != "tunnel":
        raise IPVSValidationError(
            prefix + "address", params.get("address"), "an %s real server in an %s service is only possible with method: tunnel" % (family, key.family)
        )
    weight = _int_range(prefix + "weight", 1 if params.get("weight") is None else params["weight"], 0, MAX_WEIGHT)
    upper = _int_range(prefix + "upper_threshold", params.get("upper_threshold") or 0, 0, MAX_THRESHOLD)
    lower = _int_range(prefix + "lower_threshold", params.get("lower_threshold") or 0, 0, MAX_THRESHOLD)
    thresholds(prefix + "lower_threshold", "upper_threshold", upper, lower)
    tun_type = params.get("tun_type")
    tun_port = params.get("tun_port")
    tun_csum = params.get("tun_csum")
    if method != "tunnel":
        for name, value in (("tun_type", tun_type), ("tun_port", tun_port), ("tun_csum", tun_csum)):
            if value is not None:
                raise IPVSValidationError(prefix + name, value, "tunnel options only apply to method: tunnel (this server uses %s)" % method)
    else:
        tun_type = tun_type or "ipip"
        if tun_type not in TUN_TYPES:
            raise IPVSValidationError(prefix + "tun_type", tun_type, "must be one of ipip, gue, gre")
        if tun_type == "gue":
            if tun_port is None:
                raise IPVSValidationError(prefix + "tun_port", None, "is required with tun_type: gue (the GUE destination UDP port)")
            tun_port = port(prefix + "tun_port", tun_port)
        elif tun_port is not None:
            raise IPVSValidationError(prefix + "tun_port", tun_port, "only applies to tun_type: gue")
        if tun_type == "ipip":
            if tun_csum is not None:
                raise IPVSValidationError(prefix + "tun_csum", tun_csum, "checksum options only apply to tun_type gue or gre")
        else:
            tun_csum = tun_csum or "nocsum"
            if tun_csum not in TUN_CSUM:
                raise IPVSValidationError(prefix + "tun_csum", tun_csum, "must be one of nocsum, csum, remcsum")
            if tun_csum == "remcsum" and tun_type != "gue":
                raise IPVSValidationError(prefix + "tun_csum", tun_csum, "remcsum (remote checksum offload) only applies to tun_type: gue")
    return RealServer(
        address=addr,
        port=rport,
        method=method,
        weight=weight,
        upper_threshold=upper,
        lower_threshold=lower,
        tun_type=tun_type,
        tun_port=tun_port,
        tun_csum=tun_csum,
    )


def real_servers(items, key, prefix, check_keys=False):
    """Build the real servers of one service; duplicates are an error naming both positions."""
    result = {}
    where = {}
    if items is not None and not isinstance(items, list):
        raise IPVSValidationError(prefix, items, "must be a list of real servers")
    for index, item in enumerate(items or []):
        item_prefix = "%s[%d]." % (prefix, index)
        server = real_server(item if item is not None else {}, key, item_prefix, check_keys=check_keys)
        server_key = server.key
        if server_key in result:
            raise IPVSValidationError(
                item_prefix + "address", item.get("address"), "duplicate real server %s in %s (also at %s[%d])" % (server_key, key, prefix, where[server_key])
            )
        result[server_key] = server
        where[server_key] = index
    return result


def table(items, prefix="services"):
    """Build a whole desired table from a list of service dicts with their real_servers."""
    result = {}
    where = {}
    for index, item in enumerate(items or []):
        item_prefix = "%s[%d]." % (prefix, index)
        service = virtual_service(item or {}, item_prefix)
        if service.key in result:
            raise IPVSValidationError(
                item_prefix + "address",
                item.get("address", item.get("fwmark")),
                "duplicate virtual service %s (also at %s[%d])" % (service.key, prefix, where[service.key]),
            )
        # The real servers of a table are checked here, not by the argument_spec (see ipvs_table).
        service.real_servers = real_servers(item.get("real_servers"), service.key, item_prefix + "real_servers", check_keys=True)
        result[service.key] = service
        where[service.key] = index
    return result


def sync_daemon(params):
    role = params.get("role")
    ifname = params.get("interface")
    if not ifname or not _IFNAME_RE.match(str(ifname)):
        raise IPVSValidationError("interface", ifname, "must be a network interface name (1-15 characters)")
    syncid = _int_range("syncid", params.get("syncid") or 0, 0, 255)
    maxlen = params.get("sync_maxlen")
    if maxlen is not None:
        maxlen = _int_range("sync_maxlen", maxlen, 1, 65535 - 20 - 8)
    group = params.get("mcast_group")
    if group is not None:
        try:
            gaddr = ipaddress.ip_address(str(group).strip("[]"))
        except ValueError:
            raise IPVSValidationError("mcast_group", group, "must be an IPv4 or IPv6 multicast address")
        if not gaddr.is_multicast:
            raise IPVSValidationError("mcast_group", group, "is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)")
        group = gaddr.compressed
    mport = params.get("mcast_port")
    if mport is not None:
        mport = port("mcast_port", mport)
    ttl = params.get("mcast_ttl")
    if ttl is not None:
        ttl = _int_range("mcast_ttl", ttl, 1, 255)
    return SyncDaemon(role=role, mcast_interface=str(ifname), syncid=syncid, sync_maxlen=maxlen, mcast_group=group, mcast_port=mport, mcast_ttl=ttl)


def timeouts(params):
    result = {}
    for name in ("tcp", "tcpfin", "udp"):
        value = params.get(name)
        if value is not None:
            result[name] = _int_range(name, value, 1, 2147483, "a number of seconds")
    if not result:
        raise IPVSValidationError("tcp/tcpfin/udp", None, "give at least one timeout to set")
    return result
