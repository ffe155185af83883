# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lvs.cluster maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory model of an LVS cluster: normalisation of the declarations.

``lvs_vrrp_instances`` and ``lvs_services`` (see docs/inventory-model.md) are declared once in
the inventory. This module turns the raw declarations into plain dicts with every default
filled in, and collects every problem it finds instead of stopping at the first one.

Pure code: no Ansible objects, no I/O. The preflight action plugin, the filters and the unit
tests all go through here.
"""
from __future__ import annotations

import ipaddress
import re

# ipvsadm 1.31 / Linux 6.1 schedulers (ip_vs_<name> kernel modules).
SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh")
METHODS = ("dr", "nat", "tun")
LB_KIND = {"dr": "DR", "nat": "NAT", "tun": "TUN"}
PROTOCOLS = ("tcp", "udp", "sctp", "fwmark")
CHECK_TYPES = ("TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK")
NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
SERVICE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
AUTH_PASS_MAX = 8
WEIGHT_MIN, WEIGHT_MAX = 0, 65535
PRIORITY_MIN, PRIORITY_MAX = 1, 254
# Inventory order -> priority: first host MASTER with 150, then 100, 90, 80, ...
ORDER_PRIORITIES = (150, 100, 90, 80, 70, 60, 50, 40, 30, 20, 10)

VRRP_KEYS = {
    "name", "group", "interface", "virtual_router_id", "segment", "vrrp_version", "advert_int",
    "auth_pass", "unicast_peers", "nat_gateway", "nat_interface", "garp_master_delay",
    "garp_master_refresh", "garp_master_repeat", "garp_lower_prio_repeat", "track_interfaces",
    "track_scripts", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify",
    "nopreempt", "preempt_delay",
}
SERVICE_KEYS = {
    "name", "vrrp_instance", "vip", "port", "protocol", "fwmark", "scheduler", "method",
    "persistence_timeout", "persistence_netmask", "persistence_granularity", "health_check", "backends",
    "sorry_server", "quorum", "quorum_up", "quorum_down", "hysteresis", "inhibit_on_failure", "delay_loop",
    "ops", "alpha", "omega", "virtualhost",
}
# health_check options by type (besides ``type``); values are the kinds accepted.
CHECK_COMMON = {"connect_timeout": "number", "retry": "int", "delay_before_retry": "number", "delay_loop": "int", "warmup": "int"}
CHECK_OPTIONS = {
    "TCP_CHECK": {"connect_port": "port", "bindto": "ip"},
    "HTTP_GET": {"connect_port": "port", "bindto": "ip", "url": "urls", "path": "str", "status_code": "int",
                 "digest": "str", "virtualhost": "str"},
    "SSL_GET": {"connect_port": "port", "bindto": "ip", "url": "urls", "path": "str", "status_code": "int",
                "digest": "str", "virtualhost": "str", "enable_sni": "bool"},
    "MISC_CHECK": {"misc_path": "str", "misc_timeout": "int", "misc_dynamic": "bool", "user": "str"},
}


class Problem:
    """One thing wrong with the inventory: which variable, on which host, what, and the fix."""

    __slots__ = ("variable", "host", "message", "fix")

    def __init__(self, variable, message, fix, host=None):
        self.variable = variable
        self.host = host
        self.message = message
        self.fix = fix

    def as_dict(self):
        return {"variable": self.variable, "host": self.host, "message": self.message, "fix": self.fix}

    def __str__(self):
        where = " (host %s)" % self.host if self.host else ""
        return "%s%s: %s. Fix: %s" % (self.variable, where, self.message, self.fix)

    def __repr__(self):
        return "Problem(%r)" % str(self)

    def __eq__(self, other):
        return isinstance(other, Problem) and self.as_dict() == other.as_dict()

    def __hash__(self):
        return hash(str(self))


class ModelError(Exception):
    """Raised by the derivation helpers when the declaration is not usable; carries the problems."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# --- small typed readers -------------------------------------------------------------------

def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def as_int(value):
    """Integer from an int or a decimal string (inventory values are often strings); else None."""
    if _is_int(value):
        return value
    if isinstance(value, str) and re.match(r"^-?[0-9]+$", value.strip()):
        return int(value.strip())
    return None


def as_number(value):
    if _is_int(value) or isinstance(value, float):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "true", "on", "1", "no", "false", "off", "0"):
        return value.lower() in ("yes", "true", "on", "1")
    if _is_int(value) and value in (0, 1):
        return bool(value)
    return None


def parse_ip(value):
    """ipaddress object for an address string without prefix, else None."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def parse_interface(value):
    """ipaddress interface for 'addr/prefix', else None."""
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.ip_interface(value.strip())
    except ValueError:
        return None


def _tag(index, item, key="name"):
    name = item.get(key) if isinstance(item, dict) else None
    return "[%d]" % index if not name else "[%d] (%s)" % (index, name)


# --- lvs_vrrp_instances --------------------------------------------------------------------

def normalise_vrrp_instances(raw, problems):
    """Return the normalised list of VRRP instances; append Problems for whatever is wrong.

    Instances with an unusable ``name`` are dropped; others are kept with the bad field as
    given so that later checks can still report on the rest.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem("lvs_vrrp_instances", "must be a list of VRRP instance declarations, got %s" % type(raw).__name__,
                                "declare lvs_vrrp_instances as a YAML list in group_vars/all"))
        return []
    result = []
    seen = set()
    for index, item in enumerate(raw):
        var = "lvs_vrrp_instances%s" % _tag(index, item)
        if not isinstance(item, dict):
            problems.append(Problem(var, "must be a mapping", "write each instance as {name: VI_1, group: directors, ...}"))
            continue
        for key in sorted(set(item) - VRRP_KEYS):
            problems.append(Problem("%s.%s" % (var, key), "unknown key",
                                    "remove it or use one of: %s" % ", ".join(sorted(VRRP_KEYS))))
        name = item.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.append(Problem("%s.name" % var, "must match [A-Za-z0-9_]+, got %r" % (name,), "set name: VI_1 (letters, digits, _)"))
            continue
        if name in seen:
            problems.append(Problem("%s.name" % var, "instance %s is declared twice" % name, "give every VRRP instance a unique name"))
            continue
        seen.add(name)
        inst = {"name": name}
        for key in ("group", "interface"):
            value = item.get(key)
            if not isinstance(value, str) or not value:
                problems.append(Problem("%s.%s" % (var, key), "is required (a non-empty string)",
                                        "set %s (%s)" % (key, "inventory group of the directors" if key == "group" else "e.g. eth0")))
                value = None
            inst[key] = value
        vrid = as_int(item.get("virtual_router_id"))
        if vrid is None or not 1 <= vrid <= 255:
            problems.append(Problem("%s.virtual_router_id" % var, "must be an integer 1-255, got %r" % (item.get("virtual_router_id"),),
                                    "pick a virtual_router_id 1-255 unused on this L2 segment"))
            vrid = None
        inst["virtual_router_id"] = vrid
        inst["segment"] = str(item.get("segment") or inst["interface"] or "")
        version = as_int(item.get("vrrp_version", 2))
        if version not in (2, 3):
            problems.append(Problem("%s.vrrp_version" % var, "must be 2 or 3, got %r" % (item.get("vrrp_version"),), "set vrrp_version: 2 or 3"))
            version = 2
        inst["vrrp_version"] = version
        advert = as_number(item.get("advert_int", 1))
        if advert is None or advert <= 0 or advert > 255:
            problems.append(Problem("%s.advert_int" % var, "must be a number of seconds > 0 and <= 255, got %r" % (item.get("advert_int"),),
                                    "set advert_int: 1 (or a fraction such as 0.1 with vrrp_version: 3)"))
            advert = 1
        elif isinstance(advert, float):
            if version != 3:
                problems.append(Problem("%s.advert_int" % var, "%s is fractional, which VRRPv2 cannot carry (whole seconds only)" % advert,
                                        "set vrrp_version: 3 or use a whole number of seconds"))
            elif round(advert * 100) != advert * 100 or advert < 0.01:
                problems.append(Problem("%s.advert_int" % var, "%s is not a multiple of 0.01 s (VRRPv3 centiseconds)" % advert,
                                        "round advert_int to hundredths, at least 0.01"))
        inst["advert_int"] = advert
        auth = item.get("auth_pass")
        if auth is not None and auth != "":
            if not isinstance(auth, str):
                auth = str(auth)
            if len(auth) > AUTH_PASS_MAX:
                problems.append(Problem("%s.auth_pass" % var, "is %d characters; keepalived uses only the first %d (VRRP PASS carries 8 bytes)"
                                        % (len(auth), AUTH_PASS_MAX), "use a password of at most 8 characters"))
            if version == 3:
                problems.append(Problem("%s.auth_pass" % var, "VRRPv3 has no authentication (RFC 5798); keepalived ignores it",
                                        "remove auth_pass or set vrrp_version: 2"))
        else:
            auth = None
        inst["auth_pass"] = auth
        unicast = as_bool(item.get("unicast_peers", False))
        if unicast is None:
            problems.append(Problem("%s.unicast_peers" % var, "must be a boolean", "set unicast_peers: true or false"))
            unicast = False
        inst["unicast_peers"] = unicast
        inst["nat_gateway"] = None
        inst["nat_interface"] = None
        if item.get("nat_gateway") not in (None, ""):
            gw = parse_interface(item.get("nat_gateway"))
            if gw is None:
                problems.append(Problem("%s.nat_gateway" % var, "must be address/prefix such as 198.51.100.1/24, got %r" % (item.get("nat_gateway"),),
                                        "write the floating inside address with its prefix length"))
            else:
                inst["nat_gateway"] = {"address": str(gw.ip), "prefix": gw.network.prefixlen, "network": str(gw.network)}
            nat_if = item.get("nat_interface")
            if not isinstance(nat_if, str) or not nat_if:
                problems.append(Problem("%s.nat_interface" % var, "is required with nat_gateway", "set nat_interface to the directors' inside interface"))
            else:
                inst["nat_interface"] = nat_if
        for key in ("garp_master_delay", "garp_master_refresh", "garp_master_repeat", "garp_lower_prio_repeat", "preempt_delay"):
            value = item.get(key)
            if value is None:
                inst[key] = None
                continue
            number = as_int(value)
            if number is None or number < 0:
                problems.append(Problem("%s.%s" % (var, key), "must be a non-negative integer, got %r" % (value,), "set a whole number or remove it"))
            inst[key] = number
        nopreempt = as_bool(item.get("nopreempt", False))
        if nopreempt is None:
            problems.append(Problem("%s.nopreempt" % var, "must be a boolean", "set nopreempt: true or false"))
        inst["nopreempt"] = bool(nopreempt)
        for key in ("track_interfaces", "track_scripts"):
            value = item.get(key) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                problems.append(Problem("%s.%s" % (var, key), "must be a list of names", "write e.g. %s: [eth0]" % key))
                value = []
            inst[key] = list(value)
        if inst["interface"] and inst["interface"] in inst["track_interfaces"]:
            problems.append(Problem("%s.track_interfaces" % var, "lists %s, the instance's own interface (always tracked; keepalived's config test "
                                    "rejects it)" % inst["interface"], "remove %s from track_interfaces" % inst["interface"]))
            inst["track_interfaces"] = [i for i in inst["track_interfaces"] if i != inst["interface"]]
        for key in ("notify_master", "notify_backup", "notify_fault", "notify_stop", "notify"):
            value = item.get(key)
            if value is not None and (not isinstance(value, str) or not value.startswith("/")):
                problems.append(Problem("%s.%s" % (var, key), "must be an absolute path to a script (with its arguments), got %r" % (value,),
                                        "write e.g. %s: /usr/local/sbin/vrrp-notify.sh" % key))
                value = None
            inst[key] = value
        result.append(inst)
    return result


# --- lvs_services --------------------------------------------------------------------------

def _normalise_urls(var, check, problems):
    urls = check.get("url")
    if urls is None:
        path = check.get("path", "/")
        urls = [{"path": path, "status_code": check.get("status_code", 200), "digest": check.get("digest")}]
    if isinstance(urls, dict):
        urls = [urls]
    result = []
    if not isinstance(urls, list) or not urls:
        problems.append(Problem("%s.url" % var, "must be a list of {path, status_code, digest}", "write url: [{path: /health, status_code: 200}]"))
        return result
    for index, url in enumerate(urls):
        if not isinstance(url, dict) or not isinstance(url.get("path"), str) or not url["path"].startswith("/"):
            problems.append(Problem("%s.url[%d].path" % (var, index), "must be an absolute URL path such as /health", "set path: /health"))
            continue
        if any(c.isspace() or c == '"' for c in url["path"]):
            problems.append(Problem("%s.url[%d].path" % (var, index), "must not contain spaces or quotes", "URL-encode the path"))
            continue
        entry = {"path": url["path"], "status_code": None, "digest": None}
        if url.get("digest"):
            if not isinstance(url["digest"], str) or not re.match(r"^[0-9a-fA-F]{32}$", url["digest"]):
                problems.append(Problem("%s.url[%d].digest" % (var, index), "must be an MD5 hex digest (32 hex digits)", "compute it with genhash"))
            else:
                entry["digest"] = url["digest"].lower()
        status = url.get("status_code")
        if status is None and entry["digest"] is None:
            status = 200
        if status is not None:
            code = as_int(status)
            if code is None or not 100 <= code <= 599:
                problems.append(Problem("%s.url[%d].status_code" % (var, index), "must be an HTTP status 100-599, got %r" % (status,), "set status_code: 200"))
            else:
                entry["status_code"] = code
        result.append(entry)
    return result


def normalise_health_check(var, raw, problems):
    """Normalised health check: {type, options...}; TCP_CHECK with defaults when omitted."""
    if raw is None:
        raw = {"type": "TCP_CHECK"}
    if not isinstance(raw, dict):
        problems.append(Problem(var, "must be a mapping with type: TCP_CHECK|HTTP_GET|SSL_GET|MISC_CHECK", "write health_check: {type: TCP_CHECK}"))
        return {"type": "TCP_CHECK"}
    ctype = raw.get("type", "TCP_CHECK")
    if isinstance(ctype, str):
        ctype = ctype.upper()
    if ctype not in CHECK_TYPES:
        problems.append(Problem("%s.type" % var, "unknown health check type %r" % (raw.get("type"),), "use one of: %s" % ", ".join(CHECK_TYPES)))
        return {"type": "TCP_CHECK"}
    allowed = dict(CHECK_COMMON)
    allowed.update(CHECK_OPTIONS[ctype])
    check = {"type": ctype}
    for key in sorted(raw):
        if key == "type":
            continue
        if key not in allowed:
            problems.append(Problem("%s.%s" % (var, key), "is not an option of %s" % ctype, "use one of: %s" % ", ".join(sorted(allowed))))
            continue
        kind, value = allowed[key], raw[key]
        if kind == "urls" or key in ("path", "status_code", "digest"):
            continue
        if kind == "int":
            number = as_int(value)
            if number is None or number < 0:
                problems.append(Problem("%s.%s" % (var, key), "must be a non-negative integer, got %r" % (value,), "set a whole number"))
                continue
            check[key] = number
        elif kind == "number":
            number = as_number(value)
            if number is None or number <= 0:
                problems.append(Problem("%s.%s" % (var, key), "must be a positive number of seconds, got %r" % (value,), "set e.g. %s: 3" % key))
                continue
            check[key] = number
        elif kind == "port":
            number = as_int(value)
            if number is None or not 1 <= number <= 65535:
                problems.append(Problem("%s.%s" % (var, key), "must be a port 1-65535, got %r" % (value,), "set a valid port"))
                continue
            check[key] = number
        elif kind == "bool":
            flag = as_bool(value)
            if flag is None:
                problems.append(Problem("%s.%s" % (var, key), "must be a boolean", "set true or false"))
                continue
            check[key] = flag
        elif kind == "ip":
            if parse_ip(value) is None:
                problems.append(Problem("%s.%s" % (var, key), "must be an IP address, got %r" % (value,), "set an address of the director"))
                continue
            check[key] = str(parse_ip(value))
        else:
            if not isinstance(value, str) or not value or '"' in value or "\n" in value:
                problems.append(Problem("%s.%s" % (var, key), "must be a non-empty single-line string without double quotes", "fix the value"))
                continue
            check[key] = value
    if ctype in ("HTTP_GET", "SSL_GET"):
        check["url"] = _normalise_urls(var, raw, problems)
    if ctype == "MISC_CHECK" and "misc_path" not in check:
        problems.append(Problem("%s.misc_path" % var, "is required for MISC_CHECK", "set misc_path to the check command, e.g. /usr/local/bin/check_app"))
    check.setdefault("connect_timeout" if ctype != "MISC_CHECK" else "misc_timeout", 3 if ctype != "MISC_CHECK" else 5)
    check.setdefault("retry", 2)
    check.setdefault("delay_before_retry", 2)
    return check


def _normalise_sorry(var, value, port, problems):
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        address, sport = value.get("address"), value.get("port", port)
    elif isinstance(value, str):
        parts = value.split()
        address = parts[0]
        sport = parts[1] if len(parts) > 1 else port
    else:
        address, sport = None, None
    ip = parse_ip(address)
    sport = as_int(sport) if sport is not None else None
    if ip is None or (sport is not None and not 1 <= sport <= 65535):
        problems.append(Problem(var, "must be {address: 192.0.2.50, port: 80} or '192.0.2.50 80', got %r" % (value,), "give an address and a port"))
        return None
    return {"address": str(ip), "port": sport}


def normalise_services(raw, instance_names, problems):
    """Return the normalised list of services; append Problems for whatever is wrong.

    ``instance_names``: names of the declared VRRP instances (for the reference check), or None
    to skip that check (the real-server filters do not see ``lvs_vrrp_instances``).
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem("lvs_services", "must be a list of service declarations, got %s" % type(raw).__name__,
                                "declare lvs_services as a YAML list in group_vars/all"))
        return []
    result = []
    names = set()
    endpoints = {}
    for index, item in enumerate(raw):
        var = "lvs_services%s" % _tag(index, item)
        if not isinstance(item, dict):
            problems.append(Problem(var, "must be a mapping", "write each service as {name: web, vip: ..., port: 80, ...}"))
            continue
        for key in sorted(set(item) - SERVICE_KEYS):
            problems.append(Problem("%s.%s" % (var, key), "unknown key", "remove it or use one of: %s" % ", ".join(sorted(SERVICE_KEYS))))
        name = item.get("name")
        if not isinstance(name, str) or not SERVICE_NAME_RE.match(name):
            problems.append(Problem("%s.name" % var, "is required and must match [A-Za-z0-9_.-]+, got %r" % (name,), "set name: web"))
            continue
        if name in names:
            problems.append(Problem("%s.name" % var, "service %s is declared twice" % name, "give every service a unique name"))
            continue
        names.add(name)
        svc = {"name": name}
        inst = item.get("vrrp_instance")
        if instance_names is not None and inst not in instance_names:
            problems.append(Problem("%s.vrrp_instance" % var, "%r is not a declared VRRP instance" % (inst,),
                                    "set vrrp_instance to one of: %s" % (", ".join(sorted(instance_names)) or "(declare lvs_vrrp_instances first)")))
        svc["vrrp_instance"] = inst
        vip = parse_ip(item.get("vip"))
        if vip is None:
            problems.append(Problem("%s.vip" % var, "must be an IP address without prefix, got %r" % (item.get("vip"),), "set vip: 203.0.113.10"))
        svc["vip"] = str(vip) if vip is not None else None
        svc["family"] = "ipv6" if vip is not None and vip.version == 6 else "ipv4"
        protocol = str(item.get("protocol", "fwmark" if item.get("fwmark") is not None else "tcp")).lower()
        if protocol not in PROTOCOLS:
            problems.append(Problem("%s.protocol" % var, "must be one of %s, got %r" % (", ".join(PROTOCOLS), item.get("protocol")), "set protocol: tcp"))
            protocol = "tcp"
        svc["protocol"] = protocol
        svc["fwmark"] = None
        svc["port"] = None
        if protocol == "fwmark":
            mark = as_int(item.get("fwmark"))
            if mark is None or not 1 <= mark <= 4294967295:
                problems.append(Problem("%s.fwmark" % var, "must be an integer 1-4294967295 with protocol fwmark, got %r" % (item.get("fwmark"),),
                                        "set fwmark: 1 and mark the packets with iptables/nftables"))
            svc["fwmark"] = mark
            if item.get("port") not in (None, 0):
                problems.append(Problem("%s.port" % var, "a fwmark service has no port", "remove port (backends still give theirs)"))
        else:
            port = as_int(item.get("port"))
            if port is None or not 0 <= port <= 65535:
                problems.append(Problem("%s.port" % var, "must be a port 0-65535 (0 with persistence: all ports), got %r" % (item.get("port"),),
                                        "set port: 80"))
            svc["port"] = port
            if item.get("fwmark") is not None:
                problems.append(Problem("%s.fwmark" % var, "is only used with protocol: fwmark", "set protocol: fwmark or remove fwmark"))
        scheduler = item.get("scheduler", "wlc")
        if scheduler not in SCHEDULERS:
            problems.append(Problem("%s.scheduler" % var, "unknown scheduler %r" % (scheduler,), "use one of: %s" % " ".join(SCHEDULERS)))
            scheduler = "wlc"
        svc["scheduler"] = scheduler
        method = str(item.get("method", "dr")).lower()
        if method not in METHODS:
            problems.append(Problem("%s.method" % var, "unknown forwarding method %r" % (item.get("method"),), "use dr, nat or tun"))
            method = "dr"
        svc["method"] = method
        svc["lb_kind"] = LB_KIND[method]
        ptimeout = item.get("persistence_timeout")
        if ptimeout is not None:
            ptimeout = as_int(ptimeout)
            if ptimeout is None or not 1 <= ptimeout <= 2678400:
                problems.append(Problem("%s.persistence_timeout" % var, "must be seconds 1-2678400, got %r" % (item.get("persistence_timeout"),),
                                        "set persistence_timeout: 300 or remove it"))
                ptimeout = None
        svc["persistence_timeout"] = ptimeout
        if svc["port"] == 0 and ptimeout is None:
            problems.append(Problem("%s.port" % var, "port 0 (all ports) needs persistence", "set persistence_timeout or a real port"))
        pmask = item.get("persistence_netmask", item.get("persistence_granularity"))
        if pmask is not None:
            ok = False
            if svc["family"] == "ipv4" and isinstance(pmask, str):
                try:
                    ok = ipaddress.IPv4Network("0.0.0.0/%s" % pmask).prefixlen >= 0 and "." in pmask
                except ValueError:
                    ok = False
            elif svc["family"] == "ipv6":
                number = as_int(pmask)
                ok = number is not None and 1 <= number <= 128
                pmask = number
            if not ok:
                problems.append(Problem("%s.persistence_netmask" % var, "must be a dotted netmask (IPv4) or a prefix length 1-128 (IPv6), got %r"
                                        % (item.get("persistence_netmask"),), "set e.g. persistence_netmask: 255.255.255.0"))
                pmask = None
            elif ptimeout is None:
                problems.append(Problem("%s.persistence_netmask" % var, "has no effect without persistence_timeout", "set persistence_timeout"))
        svc["persistence_netmask"] = pmask
        svc["health_check"] = normalise_health_check("%s.health_check" % var, item.get("health_check"), problems)
        delay = item.get("delay_loop", svc["health_check"].pop("delay_loop", None))
        delay = as_int(delay) if delay is not None else 6
        if delay is None or delay < 1:
            problems.append(Problem("%s.delay_loop" % var, "must be a whole number of seconds >= 1", "set delay_loop: 6"))
            delay = 6
        svc["delay_loop"] = delay
        svc["sorry_server"] = _normalise_sorry("%s.sorry_server" % var, item.get("sorry_server"), svc["port"], problems)
        for key, minimum, default in (("quorum", 1, 1), ("hysteresis", 0, None)):
            value = item.get(key, default)
            if value is not None:
                number = as_int(value)
                if number is None or number < minimum:
                    problems.append(Problem("%s.%s" % (var, key), "must be an integer >= %d, got %r" % (minimum, value), "fix or remove %s" % key))
                    number = default
                value = number
            svc[key] = value
        for key in ("quorum_up", "quorum_down"):
            value = item.get(key)
            if value is not None and (not isinstance(value, str) or not value.startswith("/")):
                problems.append(Problem("%s.%s" % (var, key), "must be an absolute path to a script, got %r" % (value,),
                                        "write e.g. %s: /usr/local/sbin/quorum.sh" % key))
                value = None
            svc[key] = value
        for key in ("inhibit_on_failure", "ops", "alpha", "omega"):
            flag = as_bool(item.get(key, False))
            if flag is None:
                problems.append(Problem("%s.%s" % (var, key), "must be a boolean", "set true or false"))
                flag = False
            svc[key] = flag
        if svc["ops"] and protocol != "udp":
            problems.append(Problem("%s.ops" % var, "one-packet scheduling applies only to UDP", "remove ops or set protocol: udp"))
        virtualhost = item.get("virtualhost")
        if virtualhost is not None and (not isinstance(virtualhost, str) or not virtualhost or any(c.isspace() or c == '"' for c in virtualhost)):
            problems.append(Problem("%s.virtualhost" % var, "must be a host name", "set virtualhost: www.example.com"))
            virtualhost = None
        svc["virtualhost"] = virtualhost
        svc["backends"] = _normalise_backends(var, item.get("backends"), svc["port"], problems)
        key = (svc["vip"], svc["protocol"], svc["fwmark"] if protocol == "fwmark" else svc["port"])
        if svc["vip"] is not None and key in endpoints:
            problems.append(Problem("%s.vip" % var, "%s %s %s is also declared by service %s" % (key[1], key[0], key[2], endpoints[key]),
                                    "merge the two services or change vip/port/protocol"))
        endpoints.setdefault(key, name)
        result.append(svc)
    return result


def _normalise_backends(var, raw, service_port, problems):
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("%s.backends" % var, "must be a non-empty list of {group, port, weight}", "write backends: [{group: pool_blue, port: 80}]"))
        return []
    result = []
    groups = set()
    for index, item in enumerate(raw):
        bvar = "%s.backends[%d]" % (var, index)
        if isinstance(item, str):
            item = {"group": item}
        if not isinstance(item, dict) or not isinstance(item.get("group"), str) or not item.get("group"):
            problems.append(Problem("%s.group" % bvar, "is required (an inventory group of real servers)", "set group: pool_blue"))
            continue
        for key in sorted(set(item) - {"group", "port", "weight"}):
            problems.append(Problem("%s.%s" % (bvar, key), "unknown key", "use group, port and weight"))
        if item["group"] in groups:
            problems.append(Problem("%s.group" % bvar, "group %s is listed twice" % item["group"], "list each backend group once"))
            continue
        groups.add(item["group"])
        port = item.get("port", service_port)
        port = as_int(port) if port is not None else None
        if port is None or not 0 <= port <= 65535:
            problems.append(Problem("%s.port" % bvar, "must be a port 0-65535, got %r" % (item.get("port", service_port),),
                                    "set port on the backend (required for fwmark services)"))
            port = None
        weight = as_int(item.get("weight", 1))
        if weight is None or not WEIGHT_MIN <= weight <= WEIGHT_MAX:
            problems.append(Problem("%s.weight" % bvar, "must be an integer %d-%d, got %r" % (WEIGHT_MIN, WEIGHT_MAX, item.get("weight")),
                                    "set weight between 0 (drain) and 65535"))
            weight = 1
        result.append({"group": item["group"], "port": port, "weight": weight})
    return result


def normalise(lvs_vrrp_instances, lvs_services):
    """Normalise both declarations. Returns (instances, services, problems)."""
    problems = []
    instances = normalise_vrrp_instances(lvs_vrrp_instances, problems)
    services = normalise_services(lvs_services, {i["name"] for i in instances}, problems)
    return instances, services, problems
