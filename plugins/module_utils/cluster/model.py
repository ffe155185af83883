# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory model of an LVS cluster: what each declared entity holds, as tables.

``lvs_vrrp_instances`` and ``lvs_services`` (see docs/inventory-model.md) are declared once in
the inventory. Each entity (VRRP instance, service, backend, health check) is described once
below as a table of fields (how a value is read, its range or choices, its default, the value
kept when it is wrong, the message and the fix) with the rules between fields as named
checks; :mod:`schema` applies the tables and collects every problem instead of stopping at
the first one. The result is plain dicts with every default filled in.

The IPVS vocabulary (schedulers, protocols, port, weight, fwmark and persistence limits) is
the kernel's, imported from ``ipvs/``; the inventory writes the tunnel method ``tun``
(keepalived's ``lb_kind TUN``), which :data:`IPVS_METHOD` maps to ipvs/'s ``tunnel``.

A new key is one ``Field`` in its entity's table, at the place where its problems should be
reported (the table order is the order of the output dict and of the messages); a rule
between keys is one named function in a ``Check`` after the last key it reads; then
docs/inventory-model.md, and the characterisation recording when the output changes.

Pure code: no Ansible objects, no I/O. The preflight action plugin, the filters and the unit
tests all go through here.
"""

from __future__ import annotations

import decimal
import ipaddress
import re

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.schema import (
    KEEP,
    Check,
    Declaration,
    Field,
    Nested,
    Problem,
    address,
    apply,
    apply_declaration,
    apply_options,
    as_list,
    as_bool,
    as_int,
    as_number,
    boolean,
    choice,
    integer,
    optional,
    parse_interface,
    parse_ip,
    required_text,
    script_path,
)

# Re-exported: derive.py and the filters catch ModelError from here.
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.schema import ModelError  # noqa: F401  pylint: disable=unused-import
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSValidationError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import (
    DEFAULT_SCHEDULER,
    GENERIC_SCHED_FLAGS,
    MAX_FWMARK,
    MAX_PERSISTENCE_TIMEOUT,
    MAX_PORT,
    MAX_THRESHOLD,
    MAX_WEIGHT,
    PROTOCOLS as IPVS_PROTOCOLS,
    SCHED_FLAG_NAMES,
    SCHEDULERS,
    SERVICE_PROTOCOLS,
)
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.validate import sched_flags, thresholds

# --- vocabulary -----------------------------------------------------------------------------

# The inventory's forwarding methods and what ipvs/ (ipvsadm -g/-m/-i) calls them: the one
# place where the inventory word ``tun`` meets the kernel word ``tunnel``.
# tests/unit/plugins/module_utils/cluster/test_vocabulary.py checks it covers ipvs.model.METHODS.
IPVS_METHOD = {"dr": "dr", "nat": "nat", "tun": "tunnel"}
METHODS = tuple(IPVS_METHOD)
LB_KIND = {"dr": "DR", "nat": "NAT", "tun": "TUN"}  # keepalived's lb_kind
PROTOCOLS = SERVICE_PROTOCOLS
CHECK_TYPES = ("TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "UDP_CHECK", "DNS_CHECK", "PING_CHECK")
NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
SERVICE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
AUTH_PASS_MAX = 8
PREEMPT_DELAY_MAX = 1000  # keepalived 2.2.7: "Preempt_delay not valid! must be between 0-1000"
ADVERT_INT_V3_MAX = 40.95  # VRRPv3: 12-bit Max Adver Int in centiseconds (RFC 5798 5.2.7)
WEIGHT_MIN, WEIGHT_MAX = 0, MAX_WEIGHT
PORT_MIN, PORT_MAX = 0, MAX_PORT
PRIORITY_MIN, PRIORITY_MAX = 1, 254
# Inventory order -> priority: first host MASTER with 150, then 100, 90, 80, ...
ORDER_PRIORITIES = (150, 100, 90, 80, 70, 60, 50, 40, 30, 20, 10)
# The states of a backend pool (lvs_pool_states) or host (lvs_backend_state), from the most in
# service to the least (GitHub GLB's vocabulary). A host is never more in service than its pool:
# its state in a pool is the later of the two in this order. Every state but ``active``
# renders weight 0: the real server stays in keepalived's configuration (still health-checked,
# no connection cut), and takes no new connection.
BACKEND_STATES = ("active", "draining", "inactive")
SERVING_STATE = "active"


# --- lvs_vrrp_instances ---------------------------------------------------------------------


def advert_int_fits_version(inst, item, var, problems, context):
    """Fractional advert_int needs VRRPv3, in hundredths of a second, at most 40.95 s.

    Hundredths are counted exactly (Decimal of the value as written): 0.07 * 100 is
    7.000000000000001 in floats. VRRPv3 carries the interval in 12 bits of centiseconds.
    """
    advert = inst["advert_int"]
    if inst["vrrp_version"] == 3 and advert > ADVERT_INT_V3_MAX:
        problems.append(
            Problem(
                "%s.advert_int" % var,
                "%s s is more than VRRPv3 carries (12 bits of hundredths: at most %s s); keepalived's config test refuses it" % (advert, ADVERT_INT_V3_MAX),
                "set advert_int to at most %s with vrrp_version: 3, or use vrrp_version: 2 (whole seconds up to 255)" % ADVERT_INT_V3_MAX,
            )
        )
    if not isinstance(advert, float):
        return
    if inst["vrrp_version"] != 3:
        problems.append(
            Problem(
                "%s.advert_int" % var,
                "%s is fractional, which VRRPv2 cannot carry (whole seconds only)" % advert,
                "set vrrp_version: 3 or use a whole number of seconds",
            )
        )
    elif decimal.Decimal(str(advert)) % decimal.Decimal("0.01") != 0 or advert < 0.01:
        problems.append(
            Problem("%s.advert_int" % var, "%s is not a multiple of 0.01 s (VRRPv3 centiseconds)" % advert, "round advert_int to hundredths, at least 0.01")
        )


def auth_pass_fits_version(inst, item, var, problems, context):
    """VRRP PASS carries 8 bytes, and only in VRRPv2; lvs-auth.conf.j2 writes it unquoted.

    keepalived counts bytes (UTF-8), and ends an unquoted word at whitespace, '#' or '!' (both
    start a comment): ``auth_pass ab cd`` gives the password ``ab``, silently.
    """
    auth = inst["auth_pass"]
    if auth is None:
        return
    size = len(auth.encode("utf-8"))
    if size > AUTH_PASS_MAX:
        if size == len(auth):
            length, fix = "%d characters" % size, "use a password of at most 8 characters"
        else:
            length, fix = "%d bytes in UTF-8 (%d characters)" % (size, len(auth)), "use a password of at most 8 bytes (8 ASCII characters)"
        problems.append(Problem("%s.auth_pass" % var, "is %s; keepalived uses only the first %d (VRRP PASS carries 8 bytes)" % (length, AUTH_PASS_MAX), fix))
    if any(c.isspace() or c in "#!" for c in auth):
        problems.append(
            Problem(
                "%s.auth_pass" % var,
                "contains whitespace, '#' or '!': the director writes auth_pass unquoted "
                "(lvs-auth.conf), and keepalived ends the password there (whitespace ends a word, '#' and '!' start a "
                "comment), so the directors would use a shorter password than declared",
                "use a password without whitespace, '#' or '!'",
            )
        )
    if inst["vrrp_version"] == 3:
        problems.append(
            Problem("%s.auth_pass" % var, "VRRPv3 has no authentication (RFC 5798); keepalived ignores it", "remove auth_pass or set vrrp_version: 2")
        )


def _nopreempt_default(item, inst, context):
    """No preemption unless the inventory asks for it (docs/failover.md).

    A director that comes back (reboot, restart, healed partition) and takes the VIP back at
    once cuts every connection its own table lacks; a BACKUP that stays BACKUP loses nothing.
    Declaring ``preempt_delay`` asks for preemption after the delay, so it implies
    ``nopreempt: false``; ``nopreempt: false`` alone gives preemption at once.
    """
    return item.get("preempt_delay") in (None, "")


def nopreempt_or_preempt_delay(inst, item, var, problems, context):
    """keepalived 2.2.7 takes one of the two: "(VI_1) preempt_delay is incompatible with nopreempt mode - resetting" (rc 5)."""
    declared = "nopreempt" in item and boolean(item["nopreempt"], inst)[0]  # not the default, not a value already refused
    if declared and inst["nopreempt"] is True and isinstance(inst["preempt_delay"], int) and inst["preempt_delay"] > 0:
        problems.append(
            Problem(
                "%s.preempt_delay" % var,
                "%d s with nopreempt: true; nopreempt never preempts, so a delay means nothing, "
                "and keepalived's config test refuses the pair" % inst["preempt_delay"],
                "remove preempt_delay (never take the VIP back) or nopreempt (take it back after the delay)",
            )
        )


TRACK_WEIGHT_MAX = 253  # keepalived 2.2.7 vrrp_track.c: "must be between [-253..253] inclusive"
TRACK_KEYS = ("name", "weight", "reverse")


def _tracked(raw, inst):
    """track_interfaces / track_scripts: names, or {name, weight, reverse}; absent is [].

    Each entry becomes {name, weight (None: keepalived's default), reverse}. A name twice is
    wrong (keepalived: "duplicate track_interface ... - ignoring", a config error), and
    ``reverse`` needs a weight (keepalived reads it only after ``weight N``).
    """
    value = as_list(raw, (str, dict))
    if value is None:
        return False, []
    entries, seen, ok = [], set(), True
    for entry in value:
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or set(entry) - set(TRACK_KEYS) or not isinstance(entry.get("name"), str) or not entry["name"]:
            ok = False
            continue
        weight = entry.get("weight")
        reverse = as_bool(entry.get("reverse", False))
        if weight is not None:
            weight = as_int(weight)
            if weight is None or not -TRACK_WEIGHT_MAX <= weight <= TRACK_WEIGHT_MAX:
                ok = False
                continue
        if reverse is None or (reverse and weight is None) or entry["name"] in seen:
            ok = False
            continue
        seen.add(entry["name"])
        entries.append({"name": entry["name"], "weight": weight, "reverse": reverse})
    return ok, entries


def _tracked_field(key, example):
    return Field(
        key,
        _tracked,
        "must be a list of names or {name, weight: -%d..%d, reverse: true (with a weight)}, each name once, got %%(got)r"
        % (TRACK_WEIGHT_MAX, TRACK_WEIGHT_MAX),
        "write e.g. %(key)s: [" + example + "]",
        fallback=KEEP,
    )


def tracked_names(entries):
    """The names of normalised track_interfaces / track_scripts entries."""
    return [entry["name"] for entry in entries]


def track_interfaces_not_own(inst, item, var, problems, context):
    """The instance's own interface is always tracked; keepalived's config test rejects listing it."""
    if inst["interface"] and inst["interface"] in tracked_names(inst["track_interfaces"]):
        problems.append(
            Problem(
                "%s.track_interfaces" % var,
                "lists %s, the instance's own interface (always tracked; keepalived's config test rejects it)" % inst["interface"],
                "remove %s from track_interfaces" % inst["interface"],
            )
        )
        inst["track_interfaces"] = [i for i in inst["track_interfaces"] if i["name"] != inst["interface"]]


# --- director_vrrp_processes: the vrrp_track_process blocks instances name in track_processes

PROCESS_WEIGHT_MAX = 254  # keepalived 2.2.7: "Weight (255) for vrrp_track_process p1 must be between [-254..254]"
PROCESS_QUORUM_MAX = 65535
PROCESS_DELAY_MAX = 3600  # keepalived 2.2.7: "delay (3601) ... must be between [0.000001..3600]"
PARAM_MATCHES = ("initial", "partial")


def _process_words(raw, process):
    """process: one word keepalived writes in double quotes (the role renders every word quoted)."""
    ok = isinstance(raw, str) and bool(raw.strip()) and unquotable(raw) is None
    return ok, raw


def _process_params(raw, process):
    value = as_list(raw, str)
    ok = value is not None and all(isinstance(v, str) and v and unquotable(v) is None for v in value)
    return ok, value if ok else []


def _delay(raw, process):
    number = as_number(raw)
    return number is not None and 0 < number <= PROCESS_DELAY_MAX, number


def quorum_max_at_least_quorum(process, item, var, problems, context):
    """keepalived 2.2.7 refuses quorum_max below quorum ("quorum_max is less than quorum - ignoring"),
    except 0: the process must not run at all."""
    top, low = process["quorum_max"], process["quorum"]
    if isinstance(top, int) and isinstance(low, int) and top and top < low:
        problems.append(
            Problem(
                "%s.quorum_max" % var,
                "%d is below quorum %d; keepalived's config test refuses it" % (top, low),
                "set quorum_max to at least quorum (0: the process must not run), or remove it",
            )
        )


VRRP_PROCESS = (
    Field(
        "process",
        _process_words,
        "must be a process name without double quotes or line breaks, got %(got)r",
        "set process to the name in /proc/PID/comm, e.g. process: haproxy",
    ),
    Field(
        "params",
        _process_params,
        "must be a list of parameters without double quotes or line breaks, got %(got)r",
        "write e.g. params: [-f, /etc/haproxy/haproxy.cfg]",
    ),
    Field("param_match", optional(choice(PARAM_MATCHES)), "must be initial or partial, got %(got)r", "set param_match: partial, or remove it"),
    Field(
        "quorum",
        integer(1, PROCESS_QUORUM_MAX),
        "must be an integer 1-%d (the fewest processes that count as up), got %%(got)r" % PROCESS_QUORUM_MAX,
        "set quorum: 1",
        default=1,
        fallback=1,
    ),
    Field(
        "quorum_max",
        optional(integer(0, PROCESS_QUORUM_MAX)),
        "must be an integer 0-%d, got %%(got)r" % PROCESS_QUORUM_MAX,
        "set quorum_max to the most processes that count as up, or remove it",
    ),
    Check(quorum_max_at_least_quorum),
    Field(
        "delay",
        optional(_delay),
        "must be seconds above 0 and at most %d, got %%(got)r" % PROCESS_DELAY_MAX,
        "set e.g. delay: 0.5, or remove it",
    ),
    Field("full_command", boolean, "must be a boolean, got %(got)r", "set full_command: true or false", default=False, fallback=False),
    Field(
        "weight",
        integer(-PROCESS_WEIGHT_MAX, PROCESS_WEIGHT_MAX),
        "must be an integer -%d..%d, got %%(got)r" % (PROCESS_WEIGHT_MAX, PROCESS_WEIGHT_MAX),
        "set weight: 0 (FAULT while too few processes run) or a priority change, e.g. -60",
        default=0,
        fallback=0,
    ),
)
# One host's director_vrrp_processes: validate.vrrp_processes_are_usable applies it per director.
VRRP_PROCESSES = Declaration(
    "director_vrrp_processes",
    VRRP_PROCESS,
    "vrrp_track_process",
    "write each process as {name: haproxy, process: haproxy, ...}",
    SERVICE_NAME_RE,
    "is required and must match [A-Za-z0-9_.-]+, got %r",
    "set name: haproxy (track_processes use it)",
    "process %s is defined twice",
    "define each process once",
)


NOTIFY_KEYS = ("notify_master", "notify_backup", "notify_fault", "notify_stop", "notify")
QUORUM_SCRIPT_KEYS = ("quorum_up", "quorum_down")
# A backend's scripts: keepalived runs them (as the script user) when a real server's checker
# puts it into the pool or takes it out.
REAL_SERVER_SCRIPT_KEYS = ("notify_up", "notify_down")
UNQUOTABLE = ('"', "\n", "\r")
# The fix, shared with validate.py's check of director_vrrp_scripts.
QUOTE_FIX = "remove the double quote or line break (put arguments that need quoting in a wrapper script)"


def unquotable(value):
    """What in ``value`` cannot stand inside the template's double quotes (q() in keepalived.conf.j2), or None."""
    if isinstance(value, str):
        for char in UNQUOTABLE:
            if char in value:
                return "a double quote" if char == '"' else "a line break"
    return None


def _quote_problems(entity, keys, var, problems):
    for key in keys:
        what = unquotable(entity.get(key))
        if what:
            problems.append(
                Problem(
                    "%s.%s" % (var, key),
                    "contains %s; the director writes it inside double quotes, and keepalived's config test refuses the line (unterminated quote)" % what,
                    QUOTE_FIX,
                )
            )


def notify_scripts_fit_in_quotes(inst, item, var, problems, context):
    _quote_problems(inst, NOTIFY_KEYS, var, problems)


def quorum_scripts_fit_in_quotes(svc, item, var, problems, context):
    _quote_problems(svc, QUORUM_SCRIPT_KEYS, var, problems)


def real_server_scripts_fit_in_quotes(backend, item, var, problems, context):
    _quote_problems(backend, REAL_SERVER_SCRIPT_KEYS, var, problems)


def _vrrp_version(raw, inst):
    number = as_int(raw)
    return number in (2, 3), number


def _advert_int(raw, inst):
    number = as_number(raw)
    return number is not None and 0 < number <= 255, number


def _secret(raw, inst):
    return True, None if raw is None or raw == "" else str(raw)


def _nat_gateway(raw, inst):
    if raw in (None, ""):
        return True, None
    gw = parse_interface(raw)
    if gw is None:
        return False, None
    return True, {"address": str(gw.ip), "prefix": gw.network.prefixlen, "network": str(gw.network)}


def _segment(raw, inst):
    return True, str(raw or inst["interface"] or "")


def _script(key, example):
    return Field(key, script_path, "must be an absolute path to a script (with its arguments), got %(got)r", "write e.g. %(key)s: " + example)


def _counter(key, low=0, high=None, why=""):
    """An optional whole number; ``why`` says where a bound keepalived enforces comes from."""
    if high is not None:
        message = "must be an integer %d-%d%s, got %%(got)r" % (low, high, why)
        fix = "set a whole number %d-%d or remove it" % (low, high)
    elif low:
        message = "must be an integer >= %d%s, got %%(got)r" % (low, why)
        fix = "set a whole number >= %d or remove it" % low
    else:
        message, fix = "must be a non-negative integer, got %(got)r", "set a whole number or remove it"
    return Field(key, optional(integer(low, high)), message, fix, fallback=KEEP)


VRRP_INSTANCE = (
    Field("group", required_text, "is required (a non-empty string)", "set group (inventory group of the directors)"),
    Field("interface", required_text, "is required (a non-empty string)", "set interface (e.g. eth0)"),
    Field("virtual_router_id", integer(1, 255), "must be an integer 1-255, got %(got)r", "pick a virtual_router_id 1-255 unused on this L2 segment"),
    Field("segment", _segment),
    Field("vrrp_version", _vrrp_version, "must be 2 or 3, got %(got)r", "set vrrp_version: 2 or 3", default=2, fallback=2),
    Field(
        "advert_int",
        _advert_int,
        "must be a number of seconds > 0 and <= 255, got %(got)r",
        "set advert_int: 1 (or a fraction such as 0.1 with vrrp_version: 3)",
        default=1,
        fallback=1,
    ),
    Check(advert_int_fits_version),
    Field("auth_pass", _secret),
    Check(auth_pass_fits_version),
    Field("unicast_peers", boolean, "must be a boolean", "set unicast_peers: true or false", default=False, fallback=False),
    Field(
        "nat_gateway", _nat_gateway, "must be address/prefix such as 198.51.100.1/24, got %(got)r", "write the floating inside address with its prefix length"
    ),
    Field(
        "nat_interface",
        required_text,
        "is required with nat_gateway",
        "set nat_interface to the directors' inside interface",
        when=lambda item, inst: item.get("nat_gateway") not in (None, ""),
    ),
    _counter("garp_master_delay"),
    _counter("garp_master_refresh"),
    _counter("garp_master_repeat", 1, why=" (keepalived's config test refuses 0)"),
    _counter("garp_lower_prio_repeat"),
    _counter("preempt_delay", 0, PREEMPT_DELAY_MAX, why=" seconds (keepalived's config test refuses more)"),
    Field("nopreempt", boolean, "must be a boolean", "set nopreempt: true or false", default=_nopreempt_default, fallback=True),
    Check(nopreempt_or_preempt_delay),
    _tracked_field("track_interfaces", "eth1, {name: eth2, weight: -60}"),
    _tracked_field("track_scripts", "chk_nginx, {name: chk_app, weight: -60}"),
    _tracked_field("track_processes", "haproxy, {name: nginx, weight: -60}"),
    Check(track_interfaces_not_own),
    _script("notify_master", "/usr/local/sbin/vrrp-notify.sh"),
    _script("notify_backup", "/usr/local/sbin/vrrp-notify.sh"),
    _script("notify_fault", "/usr/local/sbin/vrrp-notify.sh"),
    _script("notify_stop", "/usr/local/sbin/vrrp-notify.sh"),
    _script("notify", "/usr/local/sbin/vrrp-notify.sh"),
    Check(notify_scripts_fit_in_quotes),
)
VRRP_INSTANCES = Declaration(
    "lvs_vrrp_instances",
    VRRP_INSTANCE,
    "VRRP instance",
    "write each instance as {name: VI_1, group: directors, ...}",
    NAME_RE,
    "must match [A-Za-z0-9_]+, got %r",
    "set name: VI_1 (letters, digits, _)",
    "instance %s is declared twice",
    "give every VRRP instance a unique name",
)


# --- health checks --------------------------------------------------------------------------


def _positive_number(raw, check):
    number = as_number(raw)
    return number is not None and number > 0, number


def _single_line(raw, check):
    return isinstance(raw, str) and bool(raw) and unquotable(raw) is None, raw


# keepalived 2.2.7 read_hex_str (core/utils.c): hex octets, x/X half-octet wildcards where a
# reply is compared. It takes a last octet of ff for its own error marker, so it refuses any
# string that ends in ff ("Invalid hex string for UDP_CHECK payload").
HEX_RE = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
HEX_WILDCARD_RE = re.compile(r"^(?:[0-9a-fA-FxX]{2})+$")


def _hex_octets(raw, check):
    ok = isinstance(raw, str) and bool(HEX_RE.match(raw)) and raw[-2:].lower() != "ff"
    return ok, raw.lower() if ok else raw


def _reply(raw, check):
    """require_reply: true (any reply), false, or the hex octets a reply starts with (x: any nibble)."""
    if isinstance(raw, bool):
        return True, raw
    ok = isinstance(raw, str) and bool(HEX_WILDCARD_RE.match(raw)) and raw[-2:].lower() != "ff"
    return ok, raw.lower() if ok else raw


# keepalived 2.2.7 check_dns.c DNS_TYPE (compared without case).
DNS_QUERY_TYPES = ("A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "RRSIG", "DNSKEY")
DNS_NAME_RE = re.compile(r"^(?:\.|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?)$")  # no empty label (check_dns.c)


def _dns_type(raw, check):
    value = raw.upper() if isinstance(raw, str) else raw
    return value in DNS_QUERY_TYPES, value


def _dns_name(raw, check):
    return isinstance(raw, str) and bool(DNS_NAME_RE.match(raw)), raw


# Option kinds: reader, message, fix.
_KINDS = {
    "int": (integer(0), "must be a non-negative integer, got %(got)r", "set a whole number"),
    "number": (_positive_number, "must be a positive number of seconds, got %(got)r", "set e.g. %(key)s: 3"),
    "port": (integer(1, PORT_MAX), "must be a port 1-%d, got %%(got)r" % PORT_MAX, "set a valid port"),
    "bool": (boolean, "must be a boolean", "set true or false"),
    "ip": (address, "must be an IP address, got %(got)r", "set an address of the director"),
    "str": (_single_line, "must be a non-empty single-line string without double quotes", "fix the value"),
    "urls": (None, None, None),  # url, path, status_code, digest: read by _normalise_urls
    "hex": (_hex_octets, "must be hex octets such as 0a1b2c, not ending in ff (keepalived 2.2.7 refuses that), got %(got)r", "write the bytes as hex pairs"),
    "reply": (
        _reply,
        "must be true, or the hex octets a reply starts with (x for any half octet), not ending in ff (keepalived 2.2.7 refuses that), got %(got)r",
        "set require_reply: true, or e.g. require_reply: 0a1b",
    ),
    "length": (integer(0, 65535), "must be a length 0-65535, got %(got)r", "set a number of bytes"),
    "dnstype": (_dns_type, "must be one of %s, got %%(got)r" % ", ".join(DNS_QUERY_TYPES), "set e.g. query_type: A"),
    "dnsname": (_dns_name, "must be a DNS name without an empty label, such as www.example.com or ., got %(got)r", "set e.g. query_name: www.example.com"),
}
# health_check options by type (besides ``type``); values are the kinds accepted.
CHECK_COMMON = {"connect_timeout": "number", "retry": "int", "delay_before_retry": "number", "delay_loop": "int", "warmup": "int"}
CHECK_OPTIONS = {
    "TCP_CHECK": {"connect_port": "port", "bindto": "ip"},
    "HTTP_GET": {"connect_port": "port", "bindto": "ip", "url": "urls", "path": "str", "status_code": "urls", "digest": "str", "virtualhost": "str"},
    "SSL_GET": {
        "connect_port": "port",
        "bindto": "ip",
        "url": "urls",
        "path": "str",
        "status_code": "urls",
        "digest": "str",
        "virtualhost": "str",
        "enable_sni": "bool",
    },
    "MISC_CHECK": {"misc_path": "str", "misc_timeout": "int", "misc_dynamic": "bool", "user": "str"},
    # UDP_CHECK: a datagram (payload, or none) to the real server; up unless ICMP port-unreachable
    # comes back, or, with require_reply, when a reply of min-max bytes starting so comes back.
    "UDP_CHECK": {
        "connect_port": "port",
        "bindto": "ip",
        "payload": "hex",
        "require_reply": "reply",
        "min_reply_length": "length",
        "max_reply_length": "length",
    },
    # DNS_CHECK: a query over UDP; keepalived's "type" and "name" (query_type, query_name here:
    # "type" is the check's own).
    "DNS_CHECK": {"connect_port": "port", "bindto": "ip", "query_type": "dnstype", "query_name": "dnsname"},
    # PING_CHECK: an ICMP echo; no port.
    "PING_CHECK": {"bindto": "ip"},
}
UDP_REPLY_MAX_DEFAULT = 255  # keepalived 2.2.7 check_udp.c: max_reply_len defaults to UINT8_MAX
URL_KEYS = ("url", "path", "status_code", "digest")
CHECK_FIELDS = {
    ctype: {key: Field(key, *_KINDS[kind]) for key, kind in sorted(dict(CHECK_COMMON, **options).items())} for ctype, options in CHECK_OPTIONS.items()
}
# Defaults keepalived would otherwise pick differently: (key, value) by type.
CHECK_DEFAULTS = {
    ctype: (("misc_timeout", 5) if ctype == "MISC_CHECK" else ("connect_timeout", 3), ("retry", 2), ("delay_before_retry", 2)) for ctype in CHECK_TYPES
}


HTTP_STATUS_MIN, HTTP_STATUS_MAX = 100, 599  # keepalived 2.2.7 check_http.h HTTP_STATUS_CODE_MIN/MAX
STATUS_WORD_RE = re.compile(r"^([0-9]+)(?:-([0-9]+))?$")


def status_codes(value):
    """keepalived's ``status_code`` words, or None when keepalived would refuse one.

    keepalived 2.2.7 (check_http.c status_code_handler) takes one or more words, each a code
    or a range ``min-max`` with 100 <= min <= max <= 599, and refuses the line otherwise
    ("Invalid HTTP_GET status code"). A single code stays an int; ranges and lists become the
    words as written to keepalived.conf (``"200-299 304"``).
    """
    if isinstance(value, bool):
        return None
    items = value if isinstance(value, list) else str(value).split() if isinstance(value, str) else [value]
    words = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            return None
        match = STATUS_WORD_RE.match(str(item).strip())
        if not match:
            return None
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if not HTTP_STATUS_MIN <= low <= high <= HTTP_STATUS_MAX:
            return None
        words.append(str(item).strip())
    if not words:
        return None
    if len(words) == 1 and "-" not in words[0]:
        return int(words[0])
    return " ".join(words)


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
            codes = status_codes(status)
            if codes is None:
                problems.append(
                    Problem(
                        "%s.url[%d].status_code" % (var, index),
                        "must be HTTP status codes %d-%d: a code, a range such as 200-299, or a list of them, got %r"
                        % (HTTP_STATUS_MIN, HTTP_STATUS_MAX, status),
                        "set status_code: 200, or e.g. status_code: 200-299",
                    )
                )
            else:
                entry["status_code"] = codes
        result.append(entry)
    return result


def normalise_health_check(var, raw, problems):
    """Normalised health check: {type, options...}; TCP_CHECK with defaults when omitted."""
    if raw is None:
        raw = {"type": "TCP_CHECK"}
    if not isinstance(raw, dict):
        problems.append(Problem(var, "must be a mapping with type: %s" % "|".join(CHECK_TYPES), "write health_check: {type: TCP_CHECK}"))
        return {"type": "TCP_CHECK"}
    ctype = raw.get("type", "TCP_CHECK")
    if isinstance(ctype, str):
        ctype = ctype.upper()
    if ctype not in CHECK_TYPES:
        problems.append(Problem("%s.type" % var, "unknown health check type %r" % (raw.get("type"),), "use one of: %s" % ", ".join(CHECK_TYPES)))
        return {"type": "TCP_CHECK"}
    check = apply_options(CHECK_FIELDS[ctype], raw, var, problems, {"type": ctype}, ctype, ignore=("type",), elsewhere=URL_KEYS)
    if ctype in ("HTTP_GET", "SSL_GET"):
        check["url"] = _normalise_urls(var, raw, problems)
    if ctype == "MISC_CHECK" and "misc_path" not in check:
        problems.append(Problem("%s.misc_path" % var, "is required for MISC_CHECK", "set misc_path to the check command, e.g. /usr/local/bin/check_app"))
    if ctype == "UDP_CHECK" and check.get("min_reply_length", 0) > check.get("max_reply_length", UDP_REPLY_MAX_DEFAULT):
        problems.append(
            Problem(
                "%s.min_reply_length" % var,
                "%d is above max_reply_length (%d%s): the check would always fail, and keepalived's config test refuses it"
                % (
                    check["min_reply_length"],
                    check.get("max_reply_length", UDP_REPLY_MAX_DEFAULT),
                    "" if "max_reply_length" in check else ", keepalived's default",
                ),
                "set max_reply_length at or above min_reply_length",
            )
        )
    for key, value in CHECK_DEFAULTS[ctype]:
        check.setdefault(key, value)
    return check


# --- lvs_services ---------------------------------------------------------------------------


def vrrp_instance_is_declared(svc, item, var, problems, context):
    """A service names one of lvs_vrrp_instances (unless the caller cannot see them)."""
    instance_names = context["instance_names"]
    if instance_names is not None and svc["vrrp_instance"] not in instance_names:
        problems.append(
            Problem(
                "%s.vrrp_instance" % var,
                "%r is not a declared VRRP instance" % (svc["vrrp_instance"],),
                "set vrrp_instance to one of: %s" % (", ".join(sorted(instance_names)) or "(declare lvs_vrrp_instances first)"),
            )
        )


def fwmark_service_has_no_port(svc, item, var, problems, context):
    if svc["protocol"] == "fwmark" and item.get("port") not in (None, 0):
        problems.append(Problem("%s.port" % var, "a fwmark service has no port", "remove port (backends still give theirs)"))


def fwmark_needs_protocol_fwmark(svc, item, var, problems, context):
    if svc["protocol"] != "fwmark" and item.get("fwmark") is not None:
        problems.append(Problem("%s.fwmark" % var, "is only used with protocol: fwmark", "set protocol: fwmark or remove fwmark"))


# What a port is matched on: the kernel's protocols (ipvs/), fwmark aside.
MARK_PROTOCOLS = IPVS_PROTOCOLS


def _mark_ports(raw, svc):
    """The ports the director marks for a fwmark service: a list of distinct ports 1-65535; absent is []."""
    value = as_list(raw, (int, str))
    if value is None:
        return False, []
    ports = [as_int(port) for port in value]
    ok = all(port is not None and 1 <= port <= PORT_MAX for port in ports) and len(set(ports)) == len(ports)
    return ok, sorted(set(p for p in ports if p is not None and 1 <= p <= PORT_MAX))


def ports_need_fwmark(svc, item, var, problems, context):
    for key in ("ports", "ports_protocol"):
        if svc["protocol"] != "fwmark" and item.get(key) is not None:
            problems.append(
                Problem(
                    "%s.%s" % (var, key),
                    "is only used with protocol: fwmark (the ports the director marks for the service)",
                    "set fwmark (one mark over several ports) or use port",
                )
            )


def port_zero_needs_persistence(svc, item, var, problems, context):
    if svc["port"] == 0 and svc["persistence_timeout"] is None:
        problems.append(Problem("%s.port" % var, "port 0 (all ports) needs persistence", "set persistence_timeout or a real port"))


def persistence_netmask_is_a_netmask(svc, item, var, problems, context):
    """0.0.0.255 reads as a host mask (Python takes it for /24), but IPVS ANDs the client address with it as written."""
    mask = svc["persistence_netmask"]
    if svc["family"] != "ipv6" and isinstance(mask, str):
        netmask = str(ipaddress.IPv4Network("0.0.0.0/%s" % mask.strip()).netmask)
        if netmask != mask.strip():
            problems.append(
                Problem(
                    "%s.persistence_netmask" % var,
                    "%s is a host mask, not a netmask: IPVS masks the client address with "
                    "it as written, grouping clients by their last bits instead of their network" % mask,
                    "write the netmask %s" % netmask,
                )
            )


def persistence_netmask_needs_timeout(svc, item, var, problems, context):
    if svc["persistence_netmask"] is not None and svc["persistence_timeout"] is None:
        problems.append(Problem("%s.persistence_netmask" % var, "has no effect without persistence_timeout", "set persistence_timeout"))


def hysteresis_below_quorum(svc, item, var, problems, context):
    """keepalived needs hysteresis < quorum (it lowers hysteresis and its config test fails)."""
    quorum = svc["quorum"] if svc["quorum"] is not None else 1
    if svc["hysteresis"] is not None and svc["hysteresis"] >= quorum:
        problems.append(
            Problem(
                "%s.hysteresis" % var,
                "%d is not below quorum %d; keepalived's config test refuses it" % (svc["hysteresis"], quorum),
                "set hysteresis to at most %d (quorum - 1) or raise quorum" % (quorum - 1),
            )
        )


def ops_only_with_udp(svc, item, var, problems, context):
    if svc["ops"] and svc["protocol"] != "udp":
        problems.append(Problem("%s.ops" % var, "one-packet scheduling applies only to UDP", "remove ops or set protocol: udp"))


def endpoint_is_unique(svc, item, var, problems, context):
    """No two services on the same protocol, VIP and port, nor two fwmark services on one family and mark."""
    endpoints = context["endpoints"]
    if svc["protocol"] == "fwmark":
        # IPVS identifies a fwmark service by family and mark alone: the VIP is only keepalived's.
        key = (svc["family"], "fwmark", svc["fwmark"])
        if svc["vip"] is not None and svc["fwmark"] is not None and key in endpoints:
            problems.append(
                Problem(
                    "%s.fwmark" % var,
                    "%s (%s) is also the mark of service %s; IPVS identifies a fwmark service by "
                    "family and mark only (the VIP does not count), so the second would fail to be added"
                    % (svc["fwmark"], "IPv6" if svc["family"] == "ipv6" else "IPv4", endpoints[key]),
                    "give each fwmark service of a family its own mark (and mark its packets so), or merge the two services",
                )
            )
        endpoints.setdefault(key, svc["name"])
        # The ports the director marks are endpoints too: marked packets go to the fwmark service
        # (IPVS looks a service up by mark first), so a plain service on one of them gets none.
        for port in svc["ports"] if svc["vip"] is not None else ():
            key = (svc["vip"], svc["ports_protocol"], port)
            if key in endpoints:
                problems.append(
                    Problem(
                        "%s.ports" % var,
                        "%s %s %s is also declared by service %s; the director would mark its packets with %s, "
                        "so only this service would get them" % (key[1], key[0], key[2], endpoints[key], svc["fwmark"]),
                        "merge the two services or mark other ports",
                    )
                )
            endpoints.setdefault(key, svc["name"])
        return
    key = (svc["vip"], svc["protocol"], svc["port"])
    if svc["vip"] is not None and key in endpoints:
        problems.append(
            Problem(
                "%s.vip" % var,
                "%s %s %s is also declared by service %s" % (key[1], key[0], key[2], endpoints[key]),
                "merge the two services or change vip/port/protocol",
            )
        )
    endpoints.setdefault(key, svc["name"])


def _forwarded_port(svc):
    """The port DR and TUN deliver to: the VIP's (they do not rewrite it), none (0) for fwmark."""
    return 0 if svc["protocol"] == "fwmark" else svc["port"]


def _port_mismatch(svc, port):
    return svc["method"] in ("dr", "tun") and port is not None and _forwarded_port(svc) is not None and port != _forwarded_port(svc)


def _port_fix(svc):
    if svc["protocol"] == "fwmark":
        return "set port: 0 (the packets keep their own port; give health_check a connect_port), or use method: nat"
    return "set port: %d (the VIP's), or use method: nat to map ports" % svc["port"]


def _port_why(svc):
    if svc["protocol"] == "fwmark":
        return "a %s fwmark service forwards packets with their own destination port; keepalived's config test refuses a port" % svc["method"].upper()
    return "%s forwards to the VIP's port %d (only NAT maps ports); keepalived's config test refuses it" % (svc["method"].upper(), svc["port"])


def sorry_server_port_is_forwarded(svc, item, var, problems, context):
    """DR/TUN cannot change the port: the sorry server listens on the VIP's (keepalived refuses another)."""
    sorry = svc["sorry_server"]
    if sorry and _port_mismatch(svc, sorry["port"]):
        problems.append(Problem("%s.sorry_server" % var, "port %d: %s" % (sorry["port"], _port_why(svc)), _port_fix(svc)))


def sorry_server_of_the_vip_family(svc, item, var, problems, context):
    """keepalived 2.2.7 refuses a sorry server of the other family than the VIP's (rc 5: "Address family of
    virtual server and sorry server 2001:db8::99 don't match - skipping sorry server")."""
    sorry = svc["sorry_server"]
    if sorry and svc["vip"] is not None and parse_ip(sorry["address"]).version != parse_ip(svc["vip"]).version:
        problems.append(
            Problem(
                "%s.sorry_server" % var,
                "%s is not of the address family of VIP %s; keepalived's config test refuses it" % (sorry["address"], svc["vip"]),
                "give a sorry server of the VIP's family",
            )
        )


def _flag_names(raw, svc):
    """A list of scheduler flag names; a single name is a list of one; absent is ()."""
    value = as_list(raw, str)
    ok = value is not None and all(isinstance(v, str) and v.strip() for v in value)
    return ok, [v.strip() for v in value] if ok else []


def scheduler_flags_fit_the_scheduler(svc, item, var, problems, context):
    """The flags in ipvs/'s vocabulary (ipvsadm's names), canonical and in ipvsadm's order.

    sh and mh name their first two bits (sh-fallback, sh-port; mh-fallback, mh-port; flag-1 and
    flag-2 are the same bits) and read no third; the other schedulers take flag-1..3. keepalived
    2.2.7 refuses sh-*/mh-* flags on any other scheduler, but accepts mh-* on sh (and sh-* on
    mh) and flag-3 on both, silently: a flag the scheduler never reads.
    """
    if svc["scheduler"] not in SCHEDULERS:
        return  # already reported; the flags cannot be judged
    try:
        svc["scheduler_flags"] = list(sched_flags("scheduler_flags", svc["scheduler"], svc["scheduler_flags"]))
    except IPVSValidationError as exc:
        own = SCHED_FLAG_NAMES.get(svc["scheduler"], GENERIC_SCHED_FLAGS)
        problems.append(
            Problem(
                "%s.scheduler_flags" % var,
                "%s (a flag the scheduler does not read)" % (exc.reason if exc.reason.startswith(str(exc.value)) else "%s: %s" % (exc.value, exc.reason)),
                "use only %s with scheduler %s, or change the scheduler" % (", ".join(own), svc["scheduler"]),
            )
        )
        svc["scheduler_flags"] = []


def udp_and_sctp_name_their_check(svc, item, var, problems, context):
    """The default check, TCP_CHECK, connects over TCP: a UDP- or SCTP-only pool would always look down.

    keepalived accepts it, so nothing stops it but this: every real server of a UDP DNS pool
    that does not answer TCP is removed at the first check. The service names its check.
    """
    if svc["protocol"] in ("udp", "sctp") and item.get("health_check") is None:
        problems.append(
            Problem(
                "%s.health_check" % var,
                "is not set, and the default TCP_CHECK connects over TCP: a %s service whose "
                "real servers do not also answer TCP on port %s would have every real server marked down" % (svc["protocol"].upper(), svc["port"]),
                (
                    "set health_check explicitly: {type: DNS_CHECK} for DNS, {type: UDP_CHECK} (with payload and require_reply "
                    "where the service answers), {type: TCP_CHECK} when the real servers also listen on TCP, "
                    "or {type: MISC_CHECK, misc_path: <a UDP probe>}"
                    if svc["protocol"] == "udp"
                    else "set health_check explicitly (keepalived has no SCTP check): {type: TCP_CHECK} when the real servers also "
                    "listen on TCP, {type: PING_CHECK} for the host alone, or {type: MISC_CHECK, misc_path: <an SCTP probe>}"
                ),
            )
        )


def backend_ports_are_forwarded(svc, item, var, problems, context):
    """DR/TUN cannot change the port: every backend's is the VIP's (keepalived refuses another)."""
    raw = item.get("backends") if isinstance(item.get("backends"), list) else []
    index = {b.get("group") if isinstance(b, dict) else b: i for i, b in reversed(list(enumerate(raw)))}
    for backend in svc["backends"]:
        if _port_mismatch(svc, backend["port"]):
            problems.append(
                Problem("%s.backends[%d].port" % (var, index.get(backend["group"], 0)), "%d: %s" % (backend["port"], _port_why(svc)), _port_fix(svc))
            )


def port_zero_check_has_connect_port(svc, item, var, problems, context):
    """A real server on port 0 (all ports, or fwmark DR/TUN) gives a connecting check no port to connect to."""
    check = svc["health_check"]
    if check["type"] in ("MISC_CHECK", "PING_CHECK") or "connect_port" in check:
        return
    zero = [b["group"] for b in svc["backends"] if b["port"] == 0]
    if zero:
        problems.append(
            Problem(
                "%s.health_check.connect_port" % var,
                "is needed: the real servers of %s are on port 0, and %s would connect to port 0 and always fail" % (", ".join(zero), check["type"]),
                "set health_check.connect_port to the port the real servers answer on (e.g. 80)",
            )
        )


def _as_given(raw, svc):
    return True, raw


def _family(svc):
    vip = parse_ip(svc["vip"])
    return "ipv6" if vip is not None and vip.version == 6 else "ipv4"


def _persistence_netmask(raw, svc):
    """A dotted netmask for IPv4, a prefix length 1-128 for IPv6; None when absent."""
    if raw is None:
        return True, None
    if svc["family"] == "ipv6":
        number = as_int(raw)
        return number is not None and 1 <= number <= 128, number
    if not isinstance(raw, str):
        return False, None
    try:
        return ipaddress.IPv4Network("0.0.0.0/%s" % raw).prefixlen >= 0 and "." in raw, raw
    except ValueError:
        return False, None


def _delay_loop(raw, svc):
    number = as_int(raw) if raw is not None else 6
    return number is not None and number >= 1, number


def _sorry_server(raw, svc):
    if raw in (None, ""):
        return True, None
    if isinstance(raw, dict):
        addr, sport = raw.get("address"), raw.get("port", svc["port"])
    elif isinstance(raw, str):
        parts = raw.split()
        addr = parts[0]
        sport = parts[1] if len(parts) > 1 else svc["port"]
    else:
        addr, sport = None, None
    ip = parse_ip(addr)
    sport = as_int(sport) if sport is not None else None
    if ip is None or (sport is not None and not 1 <= sport <= PORT_MAX):
        return False, None
    return True, {"address": str(ip), "port": sport}


def _host_name(raw, svc):
    if raw is None:
        return True, None
    return isinstance(raw, str) and bool(raw) and not any(c.isspace() or c == '"' for c in raw), raw


def _flag(key):
    return Field(key, boolean, "must be a boolean", "set true or false", default=False, fallback=False)


def _is_fwmark(item, svc):
    return svc["protocol"] == "fwmark"


def _not_fwmark(item, svc):
    return svc["protocol"] != "fwmark"


def _health_check(var, raw, problems, svc, context):
    return normalise_health_check("%s.health_check" % var, raw, problems)


def _backends(var, raw, problems, svc, context):
    return _normalise_backends(var, raw, svc["port"], problems)


SERVICE = (
    Field("vrrp_instance", _as_given),
    Check(vrrp_instance_is_declared),
    Field("vip", address, "must be an IP address without prefix, got %(got)r", "set vip: 203.0.113.10"),
    Field("family", derive=_family),
    Field(
        "protocol",
        choice(PROTOCOLS, lower=True),
        "must be one of %s, got %%(got)r" % ", ".join(PROTOCOLS),
        "set protocol: tcp",
        default=lambda item, svc, context: "fwmark" if item.get("fwmark") is not None else "tcp",
        fallback="tcp",
    ),
    Field(
        "fwmark",
        integer(1, MAX_FWMARK),
        "must be an integer 1-%d with protocol fwmark, got %%(got)r" % MAX_FWMARK,
        "set fwmark: 1 and mark the packets with iptables/nftables",
        fallback=KEEP,
        when=_is_fwmark,
    ),
    Field(
        "port",
        integer(PORT_MIN, PORT_MAX),
        "must be a port %d-%d (0 with persistence: all ports), got %%(got)r" % (PORT_MIN, PORT_MAX),
        "set port: 80",
        fallback=KEEP,
        when=_not_fwmark,
    ),
    Check(fwmark_service_has_no_port),  # only one of these two applies: each reads the protocol
    Check(fwmark_needs_protocol_fwmark),
    Field(
        "ports",
        _mark_ports,
        "must be a list of distinct ports 1-%d (the director marks the VIP's packets to them with the fwmark), got %%(got)r" % PORT_MAX,
        "write e.g. ports: [80, 443], or remove ports and mark the packets yourself",
        fallback=KEEP,
        when=_is_fwmark,
        absent=[],
    ),
    Field(
        "ports_protocol",
        choice(MARK_PROTOCOLS, lower=True),
        "must be one of %s, got %%(got)r" % ", ".join(MARK_PROTOCOLS),
        "set ports_protocol: tcp",
        default="tcp",
        fallback="tcp",
        when=_is_fwmark,
    ),
    Check(ports_need_fwmark),
    Field(
        "scheduler",
        choice(SCHEDULERS),
        "unknown scheduler %(got)r",
        "use one of: %s" % " ".join(SCHEDULERS),
        default=DEFAULT_SCHEDULER,
        fallback=DEFAULT_SCHEDULER,
    ),
    Field("scheduler_flags", _flag_names, "must be a list of scheduler flags, got %(got)r", "write e.g. scheduler_flags: [sh-port]", fallback=[]),
    Check(scheduler_flags_fit_the_scheduler),
    Field("method", choice(METHODS, lower=True), "unknown forwarding method %(got)r", "use dr, nat or tun", default="dr", fallback="dr"),
    Field("lb_kind", derive=lambda svc: LB_KIND[svc["method"]]),
    Field(
        "persistence_timeout",
        optional(integer(1, MAX_PERSISTENCE_TIMEOUT)),
        "must be seconds 1-%d, got %%(got)r" % MAX_PERSISTENCE_TIMEOUT,
        "set persistence_timeout: 300 or remove it",
    ),
    Check(port_zero_needs_persistence),
    Field(
        "persistence_netmask",
        _persistence_netmask,
        "must be a dotted netmask (IPv4) or a prefix length 1-128 (IPv6), got %(got)r",
        "set e.g. persistence_netmask: 255.255.255.0",
        source="persistence_granularity",
    ),
    Check(persistence_netmask_is_a_netmask),
    Check(persistence_netmask_needs_timeout),
    Nested("health_check", _health_check),
    Check(udp_and_sctp_name_their_check),
    # The default is always computed: health_check.delay_loop moves up to the service, and is
    # dropped when the service sets its own.
    Field(
        "delay_loop",
        _delay_loop,
        "must be a whole number of seconds >= 1",
        "set delay_loop: 6",
        fallback=6,
        default=lambda item, svc, context: svc["health_check"].pop("delay_loop", None),
    ),
    Field("sorry_server", _sorry_server, "must be {address: 192.0.2.50, port: 80} or '192.0.2.50 80', got %(got)r", "give an address and a port"),
    Check(sorry_server_port_is_forwarded),
    Check(sorry_server_of_the_vip_family),
    Field("quorum", optional(integer(1)), "must be an integer >= 1, got %(got)r", "fix or remove quorum", default=1, fallback=1),
    Field("hysteresis", optional(integer(0)), "must be an integer >= 0, got %(got)r", "fix or remove hysteresis"),
    Check(hysteresis_below_quorum),
    Field("quorum_up", script_path, "must be an absolute path to a script, got %(got)r", "write e.g. %(key)s: /usr/local/sbin/quorum.sh"),
    Field("quorum_down", script_path, "must be an absolute path to a script, got %(got)r", "write e.g. %(key)s: /usr/local/sbin/quorum.sh"),
    Check(quorum_scripts_fit_in_quotes),
    _flag("inhibit_on_failure"),
    _flag("ops"),
    _flag("alpha"),
    _flag("omega"),
    Check(ops_only_with_udp),
    Field("virtualhost", _host_name, "must be a host name", "set virtualhost: www.example.com"),
    Nested("backends", _backends),
    Check(backend_ports_are_forwarded),
    Check(port_zero_check_has_connect_port),
    Check(endpoint_is_unique),
)
SERVICES = Declaration(
    "lvs_services",
    SERVICE,
    "service",
    "write each service as {name: web, vip: ..., port: 80, ...}",
    SERVICE_NAME_RE,
    "is required and must match [A-Za-z0-9_.-]+, got %r",
    "set name: web",
    "service %s is declared twice",
    "give every service a unique name",
)


def lthreshold_below_uthreshold(backend, item, var, problems, context):
    """IPVS takes a real server out at uthreshold connections and lets it back below lthreshold.

    keepalived 2.2.7 accepts any pair; an lthreshold above uthreshold lets the real server back
    at once, so the limit never holds. The rule is ipvs/'s (ipvs_real_server refuses the same).
    """
    try:
        thresholds("%s.lthreshold" % var, "uthreshold", backend["uthreshold"] or 0, backend["lthreshold"] or 0)
    except IPVSValidationError as exc:
        problems.append(
            Problem(
                exc.field,
                "%s %s: the real server would be let back in at once, so the limit never holds" % (exc.value, exc.reason),
                "set lthreshold at most uthreshold (0: 3/4 of it), or remove lthreshold",
            )
        )


BACKEND = (
    Field(
        "port",
        integer(PORT_MIN, PORT_MAX),
        "must be a port %d-%d, got %%(got)r" % (PORT_MIN, PORT_MAX),
        "set port on the backend (required for fwmark services)",
        default=lambda item, backend, service_port: service_port,
    ),
    Field(
        "weight",
        integer(WEIGHT_MIN, WEIGHT_MAX),
        "must be an integer %d-%d, got %%(got)r" % (WEIGHT_MIN, WEIGHT_MAX),
        "set weight between 0 (drain) and 65535",
        default=1,
        fallback=1,
    ),
    Field(
        "uthreshold",
        optional(integer(0, MAX_THRESHOLD)),
        "must be an integer 0-%d (connections; 0: no limit), got %%(got)r" % MAX_THRESHOLD,
        "set uthreshold to the most connections a real server takes, or remove it",
    ),
    Field(
        "lthreshold",
        optional(integer(0, MAX_THRESHOLD)),
        "must be an integer 0-%d (connections), got %%(got)r" % MAX_THRESHOLD,
        "set lthreshold below uthreshold, or remove it",
    ),
    Check(lthreshold_below_uthreshold),
    _script("notify_up", "/usr/local/sbin/real-server-up.sh"),
    _script("notify_down", "/usr/local/sbin/real-server-down.sh"),
    Check(real_server_scripts_fit_in_quotes),
)
BACKEND_KEYS = ("group", "port", "weight", "uthreshold", "lthreshold") + REAL_SERVER_SCRIPT_KEYS


def _normalise_backends(var, raw, service_port, problems):
    """[{group, port, weight}]: every group once; a bare string is a group."""
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
        for key in sorted(set(item) - set(BACKEND_KEYS)):
            problems.append(Problem("%s.%s" % (bvar, key), "unknown key", "use %s" % ", ".join(BACKEND_KEYS)))
        if item["group"] in groups:
            problems.append(Problem("%s.group" % bvar, "group %s is listed twice" % item["group"], "list each backend group once"))
            continue
        groups.add(item["group"])
        result.append(apply(BACKEND, item, bvar, problems, {"group": item["group"]}, service_port))
    return result


# --- both declarations ----------------------------------------------------------------------


def normalise_vrrp_instances(raw, problems):
    """Return the normalised list of VRRP instances; append Problems for whatever is wrong.

    Instances with an unusable ``name`` are dropped; others are kept with the bad field as
    given so that later checks can still report on the rest.
    """
    return apply_declaration(VRRP_INSTANCES, raw, problems)


def normalise_services(raw, instance_names, problems):
    """Return the normalised list of services; append Problems for whatever is wrong.

    ``instance_names``: names of the declared VRRP instances (for the reference check), or None
    to skip that check (the real-server filters do not see ``lvs_vrrp_instances``).
    """
    return apply_declaration(SERVICES, raw, problems, {"instance_names": instance_names, "endpoints": {}})


def normalise(lvs_vrrp_instances, lvs_services):
    """Normalise both declarations. Returns (instances, services, problems)."""
    problems = []
    instances = normalise_vrrp_instances(lvs_vrrp_instances, problems)
    services = normalise_services(lvs_services, {i["name"] for i in instances}, problems)
    return instances, services, problems
