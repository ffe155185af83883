# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-host validation of the whole cluster declaration (what the preflight reports).

``validate_cluster`` normalises the declaration (:mod:`model`), then runs the named checks
of :data:`CHECKS` in order over every host of the inventory at once, and returns every
problem found, each naming the variable, the host and the fix. No check stops the others.
Pure code: ``hostvars`` and ``groups`` are plain mappings.
"""

from __future__ import annotations

import ipaddress
import json

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import (
    _get,
    director_address,
    host_address,
    once,
    preempting,
    serving_weight,
    vrrp_members,
)
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import (
    BACKEND_STATES,
    PRIORITY_MAX,
    PRIORITY_MIN,
    WEIGHT_MAX,
    WEIGHT_MIN,
    QUOTE_FIX,
    VRRP_PROCESSES,
    Problem,
    apply_declaration,
    as_int,
    normalise,
    parse_ip,
    tracked_names,
    unquotable,
)

DECLARATION_VARS = ("lvs_vrrp_instances", "lvs_services")


def _canonical(value):
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _declared_addresses(hostvars, hosts):
    """address -> [(host, variable)] of every address the inventory gives a host."""
    found = {}
    for host in hosts:
        for var in ("ansible_host", "lvs_backend_address", "director_vrrp_address"):
            ip = parse_ip(_get(hostvars, host, var))
            if ip is not None:
                found.setdefault(str(ip), []).append((host, var))
    return found


def _interface_networks(hostvars, host, interface):
    """ip_network list configured on ``interface`` per gathered facts, or None without facts."""
    facts = _get(hostvars, host, "ansible_facts", {}) or {}
    iface = facts.get(interface.replace("-", "_")) if interface else None
    if not isinstance(iface, dict):
        return None
    networks = []
    for entry in [iface.get("ipv4")] + list(iface.get("ipv4_secondaries") or []):
        if isinstance(entry, dict) and entry.get("address") and entry.get("netmask"):
            try:
                net = ipaddress.ip_interface("%s/%s" % (entry["address"], entry["netmask"])).network
            except ValueError:
                continue
            if net.prefixlen < 32:
                networks.append(net)
    for entry in iface.get("ipv6") or []:
        if isinstance(entry, dict) and entry.get("address") and entry.get("prefix") and entry.get("scope") != "link":
            try:
                net = ipaddress.ip_interface("%s/%s" % (entry["address"], entry["prefix"])).network
            except ValueError:
                continue
            if net.prefixlen < 128:
                networks.append(net)
    return networks


class Cluster:
    """What every check reads: the declaration as given and normalised, and the inventory."""

    __slots__ = ("declared", "instances", "services", "by_name", "hostvars", "groups", "hosts", "pool_states")

    def __init__(self, declared, instances, services, hostvars, groups, pool_states=None):
        self.declared = declared
        self.pool_states = pool_states if isinstance(pool_states, dict) else {}
        self.instances = instances
        self.services = services
        self.by_name = {i["name"]: i for i in instances}
        self.hostvars = once(hostvars)
        self.groups = groups
        self.hosts = list(groups.get("all") or [])


def _all_directors(cluster):
    """Every host in the group of a declared VRRP instance."""
    directors = set()
    for inst in cluster.instances:
        directors.update(cluster.groups.get(inst["group"] or "", []) or [])
    return directors


def same_declaration_everywhere(cluster, problems, notes):
    """One source of truth: every host involved sees the declaration the preflight checked."""
    reference = {var: _canonical(cluster.declared[var]) for var in DECLARATION_VARS}
    involved = _all_directors(cluster)
    for svc in cluster.services:
        for backend in svc["backends"]:
            involved.update(cluster.groups.get(backend["group"], []) or [])
    for host in sorted(involved):
        for var in DECLARATION_VARS:
            if _canonical(_get(cluster.hostvars, host, var)) != reference[var]:
                problems.append(
                    Problem(
                        var,
                        "differs from the declaration the preflight checked (it must be the same on every host)",
                        "define %s once, in group_vars/all, and not per group or host" % var,
                        host,
                    )
                )


# --- VRRP instances: per instance, in declaration order ------------------------------------


def _directors(cluster, inst, ivar, problems, notes):
    """The members of the instance's group, or None when the group is missing or empty."""
    if inst["group"] not in cluster.groups:
        problems.append(
            Problem(
                "%s.group" % ivar, "inventory group %s does not exist" % inst["group"], "add the directors to group %s or fix the group name" % inst["group"]
            )
        )
        return None
    members = vrrp_members(inst, cluster.groups, cluster.hostvars)
    if not members:
        problems.append(Problem("%s.group" % ivar, "inventory group %s has no hosts" % inst["group"], "add the director pair to it"))
        return None
    if len(members) == 1:
        notes.append("%s: group %s has a single director (%s): no failover" % (ivar, inst["group"], members[0]["host"]))
    return members


def priorities_valid_and_distinct(cluster, inst, ivar, members, problems):
    seen_priorities = {}
    for member in members:
        prio = member["priority"]
        if not isinstance(prio, int) or not PRIORITY_MIN <= prio <= PRIORITY_MAX:
            problems.append(
                Problem(
                    "director_vrrp_priority",
                    "priority for %s must be an integer %d-%d, got %r" % (inst["name"], PRIORITY_MIN, PRIORITY_MAX, member["priority_raw"]),
                    "set director_vrrp_priority to e.g. 150 (MASTER) / 100 (BACKUP)",
                    member["host"],
                )
            )
            continue
        if prio in seen_priorities:
            problems.append(
                Problem(
                    "director_vrrp_priority",
                    "priority %d for %s equals that of %s; VRRP then elects by address, not by intent" % (prio, inst["name"], seen_priorities[prio]),
                    "give every director of %s a distinct priority" % inst["name"],
                    member["host"],
                )
            )
        seen_priorities.setdefault(prio, member["host"])
        if member["state"] not in ("MASTER", "BACKUP"):
            problems.append(Problem("director_vrrp_state", "must be MASTER or BACKUP, got %r" % (member["state"],), "fix or remove it", member["host"]))


def master_state_fits_preemption(cluster, inst, ivar, members, problems):
    """At most one MASTER; an explicit MASTER has the highest priority; none where the instance does not preempt.

    keepalived accepts every member BACKUP (the highest priority is elected after the
    master-down interval), so a preempting instance may start all BACKUP; two MASTERs both
    take the VIP until the first advertisement. An instance with nopreempt or preempt_delay
    must start all BACKUP: keepalived 2.2.7's config test refuses ``state MASTER`` with either
    ("nopreempt will not work with initial state MASTER", rc 5), and its priorities elect.
    """
    masters = [m for m in members if m["state"] == "MASTER"]
    if not preempting(inst):
        option = "nopreempt (the default without preempt_delay)" if inst["nopreempt"] is True else "preempt_delay %s" % inst["preempt_delay"]
        for master in masters:
            problems.append(
                Problem(
                    "director_vrrp_state",
                    "is MASTER for %s, which has %s: keepalived's config test refuses state MASTER "
                    "with nopreempt or preempt_delay (every member must start BACKUP; the priorities elect the MASTER)" % (inst["name"], option),
                    "remove director_vrrp_state for %s (or set it to BACKUP) and give the director that should be MASTER "
                    "the highest director_vrrp_priority; or set nopreempt: false on %s for an instance that preempts" % (inst["name"], inst["name"]),
                    master["host"],
                )
            )
        return
    if len(masters) > 1:
        problems.append(
            Problem(
                "%s.group" % ivar,
                "has %d MASTERs (%s); at most one director may start MASTER" % (len(masters), ", ".join(m["host"] for m in masters)),
                "set director_vrrp_state: MASTER on one host of %s and BACKUP on the others (or remove director_vrrp_state "
                "and let the highest priority be MASTER)" % inst["group"],
            )
        )
    elif masters and masters[0]["explicit_state"]:
        valid = [m for m in members if isinstance(m["priority"], int)]
        higher = [m["host"] for m in valid if isinstance(masters[0]["priority"], int) and m["priority"] > masters[0]["priority"]]
        if higher:
            problems.append(
                Problem(
                    "director_vrrp_state",
                    "is MASTER for %s but %s has a higher priority and will take the VIP" % (inst["name"], ", ".join(higher)),
                    "give the MASTER the highest director_vrrp_priority",
                    masters[0]["host"],
                )
            )


# What an instance's tracked names refer to: the host variable that defines them. Without a
# weight, a vrrp_script's failure is a FAULT; the role renders a vrrp_track_process's weight
# always, 0 (FAULT) unless set (keepalived's own default, 1, would never move the VIP).
TRACK_DEFINITIONS = {"track_scripts": "director_vrrp_scripts", "track_processes": "director_vrrp_processes"}


def _definition_weight(cluster, host, key, name):
    """The weight of definition ``name`` in ``host``'s TRACK_DEFINITIONS[key], 0 when it has none."""
    definitions = _get(cluster.hostvars, host, TRACK_DEFINITIONS[key]) or []
    for definition in definitions if isinstance(definitions, list) else []:
        if isinstance(definition, dict) and definition.get("name") == name:
            weight = as_int(definition.get("weight", 0))
            return weight if weight is not None else 0
    return 0


def tracking_moves_the_vip(cluster, inst, ivar, members, problems):
    """A failure that a tracked interface or script reports moves the VIP off the MASTER.

    Weight 0 (keepalived's default for track_interface, and for a vrrp_script without
    ``weight``) puts the director in FAULT: the VIP moves. A weight changes the priority
    instead, and the VIP moves only when that crosses the next director's: a negative weight
    must take the top director below the second (more than the priority gap), a positive one
    must lift the second above the top. With nopreempt a BACKUP never takes the VIP from a
    MASTER of lower priority, so no weight moves it. ``reverse`` entries are not judged.
    """
    ranked = sorted((m for m in members if isinstance(m["priority"], int)), key=lambda m: -m["priority"])
    if len(ranked) < 2:
        return
    top, second = ranked[0], ranked[1]
    gap = top["priority"] - second["priority"]
    for key, what in (("track_interfaces", "interface"), ("track_scripts", "vrrp_script"), ("track_processes", "vrrp_track_process")):
        for entry in inst[key]:
            if entry["reverse"]:
                continue
            if key in TRACK_DEFINITIONS and entry["weight"] is None:
                weights = {m["host"]: _definition_weight(cluster, m["host"], key, entry["name"]) for m in (top, second)}
                source = "its %s weight" % TRACK_DEFINITIONS[key]
            else:
                weights = {m["host"]: entry["weight"] or 0 for m in (top, second)}
                source = "weight"
            weight = weights[top["host"]] if weights[top["host"]] else weights[second["host"]]
            if not weight:
                continue
            args = {
                "what": what,
                "name": entry["name"],
                "source": source,
                "weight": weight,
                "inst": inst["name"],
                "top": top["host"],
                "top_priority": top["priority"],
                "dropped": top["priority"] + weight,
                "second": second["host"],
                "second_priority": second["priority"],
                "lifted": second["priority"] + weight,
                "gap": gap,
                "fault": "weight 0 (a failure puts the director in FAULT and the VIP moves at once)",
            }
            if inst["nopreempt"] is True:
                message = (
                    "%(what)s %(name)s has %(source)s %(weight)d, and %(inst)s does not preempt (nopreempt): a BACKUP never takes "
                    "the VIP from a MASTER whose priority dropped, so a failure of %(name)s never moves the VIP"
                )
                fix = "give %(name)s %(fault)s, or use preempt_delay instead of nopreempt"
            elif weight < 0 and -weight <= gap:
                message = (
                    "%(what)s %(name)s has %(source)s %(weight)d: when it fails on %(top)s (priority %(top_priority)d), %(top)s drops "
                    "to %(dropped)d, not below %(second)s (%(second_priority)d), so the VIP does not move"
                )
                fix = "give %(name)s a weight below -%(gap)d (more than the priority gap), or %(fault)s"
            elif 0 < weight <= gap:
                message = (
                    "%(what)s %(name)s has %(source)s %(weight)d: when it fails on %(top)s (priority %(top_priority)d), %(second)s "
                    "(%(second_priority)d, %(lifted)d with its own %(what)s healthy) does not pass it, so the VIP does not move"
                )
                fix = "give %(name)s a weight above %(gap)d (more than the priority gap), or %(fault)s"
            else:
                continue
            problems.append(Problem("%s.%s" % (ivar, key), message % args, fix % args))


def unicast_peers_have_addresses(cluster, inst, ivar, members, problems):
    if not inst["unicast_peers"]:
        return
    for member in members:
        if director_address(cluster.hostvars, member["host"], inst["interface"]) is None:
            problems.append(
                Problem(
                    "director_vrrp_address",
                    "no address on %s for unicast VRRP of %s" % (inst["interface"], inst["name"]),
                    "set director_vrrp_address (or ansible_host) to the director's address on %s" % inst["interface"],
                    member["host"],
                )
            )


def _instance_family(cluster, inst):
    """The address family of an instance's VIPs (its first service's), or None without services."""
    for svc in cluster.services:
        if svc["vrrp_instance"] == inst["name"] and svc["vip"] is not None:
            return svc["family"]
    return None


def _family_of(ip):
    return "ipv6" if ip.version == 6 else "ipv4"


def unicast_peers_of_the_vip_family(cluster, inst, ivar, members, problems):
    """keepalived's unicast peers and source are of the instance's family (its VIPs')."""
    family = _instance_family(cluster, inst)
    if not inst["unicast_peers"] or family is None:
        return
    for member in members:
        address = director_address(cluster.hostvars, member["host"], inst["interface"])
        if address is not None and _family_of(parse_ip(address)) != family:
            problems.append(
                Problem(
                    "director_vrrp_address",
                    "unicast VRRP of %s uses %s, not an %s address like the instance's VIPs; "
                    "keepalived's config test refuses a peer of the other family" % (inst["name"], address, "IPv6" if family == "ipv6" else "IPv4"),
                    "set director_vrrp_address to the director's %s address on %s (the address from facts is IPv4 only)"
                    % ("IPv6" if family == "ipv6" else "IPv4", inst["interface"]),
                    member["host"],
                )
            )


# Checks of one instance's directors, in this order for each instance.
DIRECTOR_CHECKS = (
    priorities_valid_and_distinct,
    master_state_fits_preemption,
    tracking_moves_the_vip,
    unicast_peers_have_addresses,
    unicast_peers_of_the_vip_family,
)


def vrrp_directors(cluster, problems, notes):
    """Each instance's group exists and holds directors whose priorities and states elect one MASTER.

    Also a note where instances of one group never preempt but name different directors first.
    Without preemption the first keepalived to start holds every instance it is in, and keeps
    them: site.yml starts each such instance's highest priority first, which cannot be two
    directors at once. So an active-active pair (VI_A on lb1, VI_B on lb2) with nopreempt on
    both starts with lb1 holding both; ``preempt_delay`` on one of them lets its director take it
    over once it has been up (and synced) that long.
    """
    tops = {}
    for inst in cluster.instances:
        ivar = "lvs_vrrp_instances (%s)" % inst["name"]
        if inst["group"] is None:
            continue
        members = _directors(cluster, inst, ivar, problems, notes)
        if members is None:
            continue
        for check in DIRECTOR_CHECKS:
            check(cluster, inst, ivar, members, problems)
        valid = [m for m in members if isinstance(m["priority"], int)]
        if inst["nopreempt"] is True and inst["name"] is not None and valid:
            tops.setdefault(inst["group"], []).append((inst["name"], max(valid, key=lambda m: m["priority"])["host"]))
    for group, pairs in tops.items():
        if len({top for _unused, top in pairs}) > 1:
            names = ", ".join(name for name, _unused in pairs)
            where = ", ".join("%s on %s" % pair for pair in pairs)
            notes.append(
                "instances %s of group %s do not preempt (nopreempt) and have different highest priorities (%s): on a new "
                "cluster the first director to start holds all of them and keeps them; set preempt_delay (e.g. 60) on the "
                "instances the other directors should take over" % (names, group, where)
            )


def _instance_interfaces(inst):
    """(variable suffix, interface name) of every director interface an instance names."""
    named = [("interface", inst["interface"])]
    if inst["nat_gateway"] and inst["nat_interface"]:
        named.append(("nat_interface", inst["nat_interface"]))
    named.extend(("track_interfaces", name) for name in tracked_names(inst["track_interfaces"]))
    return [(key, name) for key, name in named if isinstance(name, str) and name]


def interfaces_exist_on_directors(cluster, problems, notes):
    """Every interface an instance names (interface, nat_interface, track_interfaces) exists on each of its directors.

    Compared with the gathered network facts (``ansible_facts.interfaces``); keepalived's config
    test refuses a missing one (rc 5: "WARNING - interface eth7 for vrrp_instance VI_1 doesn't
    exist"). Without facts the run says which director was not checked.
    """
    for inst in cluster.instances:
        named = _instance_interfaces(inst)
        if not named or not inst["group"]:
            continue
        ivar = "lvs_vrrp_instances (%s)" % inst["name"]
        for host in cluster.groups.get(inst["group"]) or []:
            facts = _get(cluster.hostvars, host, "ansible_facts", {}) or {}
            present = facts.get("interfaces") if isinstance(facts, dict) else None
            if not isinstance(present, list):
                notes.append(
                    "%s: interfaces %s not checked on director %s: no network facts (the preflight play gathers them)"
                    % (ivar, ", ".join(sorted({name for _key, name in named})), host)
                )
                continue
            for key, name in named:
                if name not in present:
                    problems.append(
                        Problem(
                            "%s.%s" % (ivar, key),
                            "interface %s does not exist on director %s (it has: %s); "
                            "keepalived's config test refuses it" % (name, host, ", ".join(sorted(present))),
                            "name an interface the director has, or create %s on it first" % name,
                            host,
                        )
                    )


PER_INSTANCE_VARS = ("director_vrrp_priority", "director_vrrp_state")


def per_instance_maps_name_the_hosts_instances(cluster, problems, notes):
    """director_vrrp_priority / director_vrrp_state as a mapping name instances of the host's groups.

    A misspelt key is otherwise ignored in silence: the host falls back to its inventory-order
    priority, or to the derived state.
    """
    if not cluster.instances:
        return  # nothing to compare with (the declaration's own problems say why)
    mine = {}
    for inst in cluster.instances:
        for host in cluster.groups.get(inst["group"] or "", []) or []:
            mine.setdefault(host, []).append(inst["name"])
    for host in cluster.hosts:
        for var in PER_INSTANCE_VARS:
            value = _get(cluster.hostvars, host, var)
            if not isinstance(value, dict):
                continue
            for key in value:
                if key not in mine.get(host, []):
                    problems.append(
                        Problem(
                            var,
                            "names %r, which is not a VRRP instance of this host (its instances: %s); the entry "
                            "would be ignored" % (key, ", ".join(mine.get(host, [])) or "none"),
                            "use the name of one of the host's instances, or remove the entry",
                            host,
                        )
                    )


def vrrp_scripts_fit_in_quotes(cluster, problems, notes):
    """director_vrrp_scripts[].script is written inside double quotes (q() in keepalived.conf.j2)."""
    for host in sorted(_all_directors(cluster)):
        scripts = _get(cluster.hostvars, host, "director_vrrp_scripts")
        for index, script in enumerate(scripts if isinstance(scripts, list) else []):
            what = unquotable(script.get("script")) if isinstance(script, dict) else None
            if what:
                problems.append(
                    Problem(
                        "director_vrrp_scripts[%d].script" % index,
                        "contains %s; the director writes it inside double quotes, and keepalived's config test refuses the line (unterminated quote)" % what,
                        QUOTE_FIX,
                        host,
                    )
                )


def vrrp_processes_are_usable(cluster, problems, notes):
    """director_vrrp_processes: each a vrrp_track_process keepalived's config test accepts, once per name."""
    for host in sorted(_all_directors(cluster)):
        found = []
        apply_declaration(VRRP_PROCESSES, _get(cluster.hostvars, host, "director_vrrp_processes"), found)
        for problem in found:
            problem.host = host
        problems.extend(found)


def _vrrp_family(cluster, inst):
    """The family VRRP runs in for an instance: its VIPs', else its nat_gateway's, else IPv4."""
    family = _instance_family(cluster, inst)
    if family is None and inst["nat_gateway"]:
        family = _family_of(parse_ip(inst["nat_gateway"]["address"]))
    return family or "ipv4"


def virtual_router_id_unique_per_segment(cluster, problems, notes):
    """A virtual_router_id once per segment and family, and once per director interface and family.

    IPv4 and IPv6 VRRP have separate VRID spaces (virtual MACs 00:00:5e:00:01:xx and
    00:00:5e:00:02:xx). Instances with directors in common on one interface share the link
    whatever their ``segment`` says, and keepalived's config test refuses them (rc 5: "VI_1 and
    VI_2 both use VRID 51 with IPv4 on interface eth0"; for two unicast ones, "(VI_2) duplicate
    VRID conflict with VI_1"). keepalived keeps unicast and multicast instances in separate VRID
    spaces (vrrp.c, 2.2.7), so only instances of the same kind collide there.
    """
    vrids, links = {}, {}
    for inst in cluster.instances:
        if inst["virtual_router_id"] is None:
            continue
        family = _vrrp_family(cluster, inst)
        label = "IPv6" if family == "ipv6" else "IPv4"
        vvar = "lvs_vrrp_instances (%s).virtual_router_id" % inst["name"]
        key = (inst["segment"], family, inst["virtual_router_id"])
        if key in vrids:
            problems.append(
                Problem(
                    vvar,
                    "%d is already used by %s on segment %s (%s)" % (inst["virtual_router_id"], vrids[key], inst["segment"], label),
                    "pick a virtual_router_id not used by another %s instance on segment %s" % (label, inst["segment"]),
                )
            )
            vrids.setdefault(key, inst["name"])
            continue
        vrids[key] = inst["name"]
        directors = set(cluster.groups.get(inst["group"] or "", []) or [])
        link = (inst["interface"], family, inst["unicast_peers"] is True, inst["virtual_router_id"])
        for other, other_segment, other_directors in links.get(link, []):
            shared = sorted(directors & other_directors)
            if shared and other_segment != inst["segment"]:
                problems.append(
                    Problem(
                        vvar,
                        "%d is also used by %s on interface %s of director %s (%s); their segments differ (%s, %s) "
                        "but both run on that one link, and keepalived's config test refuses the pair"
                        % (inst["virtual_router_id"], other, inst["interface"], ", ".join(shared), label, other_segment, inst["segment"]),
                        "pick another virtual_router_id, or fix segment: instances on one interface of a director share its segment",
                    )
                )
        links.setdefault(link, []).append((inst["name"], inst["segment"], directors))


def vips_and_gateways_are_free(cluster, problems, notes):
    """A VIP is no host's address nor a NAT gateway, and one instance carries it; a gateway is no host's address."""
    addresses = _declared_addresses(cluster.hostvars, cluster.hosts)
    vip_owner = {}
    gateways = {i["nat_gateway"]["address"]: i["name"] for i in cluster.instances if i["nat_gateway"]}
    for svc in cluster.services:
        if svc["vip"] is None:
            continue
        svar = "lvs_services (%s).vip" % svc["name"]
        for host, var in addresses.get(svc["vip"], []):
            problems.append(Problem(svar, "%s is also the address of host %s (%s)" % (svc["vip"], host, var), "use a VIP no host has as its own address", host))
        if svc["vip"] in gateways:
            problems.append(Problem(svar, "%s is the nat_gateway of %s" % (svc["vip"], gateways[svc["vip"]]), "use distinct addresses"))
        other = vip_owner.setdefault(svc["vip"], svc["vrrp_instance"])
        if other != svc["vrrp_instance"]:
            problems.append(
                Problem(
                    "lvs_services (%s).vrrp_instance" % svc["name"],
                    "VIP %s is already carried by instance %s" % (svc["vip"], other),
                    "serve every service of one VIP from the same vrrp_instance",
                )
            )
    for address, name in gateways.items():
        for host, var in addresses.get(address, []):
            problems.append(
                Problem(
                    "lvs_vrrp_instances (%s).nat_gateway" % name,
                    "%s is also the address of host %s (%s)" % (address, host, var),
                    "use a free address of the inside network as the floating gateway",
                    host,
                )
            )


def _primary_ipv4(hostvars, host):
    """address -> interface of every primary IPv4 address in a host's facts (a VIP a keepalived adds is a secondary), or None."""
    facts = _get(hostvars, host, "ansible_facts", {}) or {}
    names = facts.get("interfaces") if isinstance(facts, dict) else None
    if not isinstance(names, list):
        return None
    found = {}
    for name in names:
        entry = facts.get(str(name).replace("-", "_"))
        address = ((entry or {}).get("ipv4") or {}).get("address") if isinstance(entry, dict) else None
        if parse_ip(address) is not None:
            found[str(parse_ip(address))] = name
    return found


# Where the realserver roles put a VIP on a real server of each method (roles/realserver_dr: lo,
# roles/realserver_tun: the ipip device tunl0).
CARRIER_INTERFACE = {"dr": "lo", "tun": "tunl0"}


def vips_and_gateways_are_no_host_address_per_facts(cluster, problems, notes):
    """No host has a VIP or a nat_gateway as the primary IPv4 address of an interface (per its gathered facts).

    The inventory's own addresses are compared by vips_and_gateways_are_free; this catches an
    address a host really has but the inventory does not name. keepalived adds VIPs as
    secondary addresses, so a running cluster's VIPs are not primaries. IPv6 facts carry no
    primary: IPv6 VIPs are compared with the inventory's addresses only.
    """
    floating = [("lvs_services (%s).vip" % svc["name"], svc["vip"]) for svc in cluster.services if svc["vip"] is not None and parse_ip(svc["vip"]).version == 4]
    floating += [
        ("lvs_vrrp_instances (%s).nat_gateway" % inst["name"], inst["nat_gateway"]["address"])
        for inst in cluster.instances
        if inst["nat_gateway"] and parse_ip(inst["nat_gateway"]["address"]).version == 4
    ]
    if not floating:
        return
    # DR and TUN real servers carry their services' VIPs on purpose, where the realserver roles
    # put them: on lo (DR) and on tunl0 (TUN), whose only, so primary, address the VIP is.
    carriers = {}
    for svc in cluster.services:
        if svc["vip"] is not None and svc["method"] in CARRIER_INTERFACE:
            for backend in svc["backends"]:
                for member in cluster.groups.get(backend["group"]) or []:
                    carriers.setdefault((svc["vip"], member), set()).add(CARRIER_INTERFACE[svc["method"]])
    unchecked = []
    for host in cluster.hosts:
        primaries = _primary_ipv4(cluster.hostvars, host)
        if primaries is None:
            unchecked.append(host)
            continue
        declared = _declared_addresses(cluster.hostvars, [host])  # those are reported by vips_and_gateways_are_free
        for var, address in floating:
            if address in primaries and primaries[address] in carriers.get((address, host), ()):
                continue
            if address in primaries and address not in declared:
                problems.append(
                    Problem(
                        var,
                        "%s is the address of interface %s of host %s (per its facts): a floating address must be free" % (address, primaries[address], host),
                        "use an address no host has, or remove it from %s" % host,
                        host,
                    )
                )
    if unchecked:
        notes.append("VIPs and nat_gateways not compared with the addresses of %s: no network facts" % ", ".join(unchecked))


def _interface_addresses(hostvars, host, interfaces=None):
    """Every address (IPv4 primary and secondaries, IPv6) on ``interfaces`` (default: all) per facts, or None without facts."""
    facts = _get(hostvars, host, "ansible_facts", {}) or {}
    names = facts.get("interfaces") if isinstance(facts, dict) else None
    if not isinstance(names, list):
        return None
    found = set()
    for name in names if interfaces is None else [i for i in interfaces if i in names]:
        entry = facts.get(str(name).replace("-", "_"))
        if not isinstance(entry, dict):
            continue
        for item in [entry.get("ipv4")] + list(entry.get("ipv4_secondaries") or []) + list(entry.get("ipv6") or []):
            ip = parse_ip(item.get("address")) if isinstance(item, dict) else None
            if ip is not None:
                found.add(str(ip))
    return found


def own_addresses_per_facts(cluster, problems, notes):
    """director_vrrp_address is the director's on the instance's interface; lvs_backend_address is the real server's.

    keepalived's config test accepts a ``unicast_src_ip`` the host does not have (rc 0); VRRP
    then cannot send from it, and both directors become MASTER. A real server address the host
    does not have sends the VIP's traffic elsewhere. Compared where the facts exist; said in notes
    where they do not.
    """
    for inst in cluster.instances:
        if not inst["unicast_peers"] or not inst["interface"]:
            continue
        for host in cluster.groups.get(inst["group"] or "", []) or []:
            address = parse_ip(_get(cluster.hostvars, host, "director_vrrp_address"))
            if address is None:
                continue
            present = _interface_addresses(cluster.hostvars, host, [inst["interface"]])
            if present is None:
                notes.append("director_vrrp_address of %s not compared with its addresses: no network facts" % host)
            elif str(address) not in present:
                problems.append(
                    Problem(
                        "director_vrrp_address",
                        "%s is not an address of %s on %s (per its facts: %s); unicast VRRP of %s "
                        "would send from an address the director does not have"
                        % (address, inst["interface"], host, ", ".join(sorted(present)) or "none", inst["name"]),
                        "set director_vrrp_address to the director's own address on %s" % inst["interface"],
                        host,
                    )
                )
    backends = set()
    for svc in cluster.services:
        for backend in svc["backends"]:
            backends.update(cluster.groups.get(backend["group"]) or [])
    for host in sorted(backends):
        address = parse_ip(_get(cluster.hostvars, host, "lvs_backend_address"))
        if address is None:
            continue
        present = _interface_addresses(cluster.hostvars, host)
        if present is None:
            notes.append("lvs_backend_address of %s not compared with its addresses: no network facts" % host)
        elif str(address) not in present:
            problems.append(
                Problem(
                    "lvs_backend_address",
                    "%s is not an address of %s (per its facts: %s); the directors would send "
                    "its share of the traffic elsewhere" % (address, host, ", ".join(sorted(present)) or "none"),
                    "set lvs_backend_address to one of the host's own addresses",
                    host,
                )
            )


def nat_gateway_on_the_inside_network(cluster, problems, notes):
    """The nat_gateway lies in a network of each director's nat_interface (per facts): the real servers' route back."""
    for inst in cluster.instances:
        gw = inst["nat_gateway"]
        if not gw or not inst["nat_interface"] or not inst["group"]:
            continue
        gvar = "lvs_vrrp_instances (%s).nat_gateway" % inst["name"]
        for host in cluster.groups.get(inst["group"]) or []:
            nets = _interface_networks(cluster.hostvars, host, inst["nat_interface"])
            if nets is None:
                notes.append("%s: %s not compared with %s of director %s: no network facts" % (gvar, gw["address"], inst["nat_interface"], host))
                continue
            if not any(parse_ip(gw["address"]) in net for net in nets):
                on = ", ".join(str(n) for n in nets) or "no address"
                problems.append(
                    Problem(
                        gvar,
                        "%s is not in a network of %s on director %s (%s): the director could not take the "
                        "real servers' replies on it" % (gw["address"], inst["nat_interface"], host, on),
                        "use a free address of the inside network %s is on, or fix nat_interface" % inst["nat_interface"],
                        host,
                    )
                )


def every_instance_carries_an_address(cluster, problems, notes):
    """An instance no service names (and without nat_gateway) would render an empty virtual_ipaddress.

    keepalived's config test refuses it (rc 5: "(VI_1) No VIP specified; at least one is sensible").
    """
    used = {svc["vrrp_instance"] for svc in cluster.services}
    for inst in cluster.instances:
        if inst["name"] not in used and not inst["nat_gateway"]:
            problems.append(
                Problem(
                    "lvs_vrrp_instances (%s)" % inst["name"],
                    "no service names it (lvs_services[].vrrp_instance) and it has no nat_gateway: its virtual_ipaddress "
                    "would be empty, which keepalived's config test refuses",
                    "remove the instance, or set vrrp_instance: %s on the services it should carry" % inst["name"],
                )
            )


def one_family_per_instance(cluster, problems, notes):
    """A VRRP instance carries addresses of one family: its VIPs and its nat_gateway.

    keepalived's config test refuses the others (rc 5: "(VI_1): address family must match VRRP
    instance [2001:db8::10/128] - ignoring").
    """
    for inst in cluster.instances:
        family = _instance_family(cluster, inst)
        if family is None:
            continue
        first = [s["name"] for s in cluster.services if s["vrrp_instance"] == inst["name"] and s["vip"] is not None][0]
        other = "IPv4" if family == "ipv6" else "IPv6"
        for svc in cluster.services:
            if svc["vrrp_instance"] == inst["name"] and svc["vip"] is not None and svc["family"] != family:
                problems.append(
                    Problem(
                        "lvs_services (%s).vrrp_instance" % svc["name"],
                        "%s VIP %s in instance %s, which carries the %s VIPs of %s; one VRRP instance carries one "
                        "address family (keepalived's config test refuses the other)"
                        % (other, svc["vip"], inst["name"], "IPv6" if family == "ipv6" else "IPv4", first),
                        "use one VRRP instance per address family: declare an %s instance for %s" % (other, svc["name"]),
                    )
                )
        gw = inst["nat_gateway"]
        if gw and _family_of(parse_ip(gw["address"])) != family:
            problems.append(
                Problem(
                    "lvs_vrrp_instances (%s).nat_gateway" % inst["name"],
                    "%s is %s but the instance's VIPs are %s; keepalived's config test refuses it in the same instance"
                    % (gw["address"], other, "IPv6" if family == "ipv6" else "IPv4"),
                    "give the instance a nat_gateway of its VIPs' family (NAT real servers route through it)",
                )
            )


def host_weights_in_range(cluster, problems, notes):
    """lvs_backend_weight and lvs_backend_weights[service] are weights; the services exist."""
    service_names = {s["name"] for s in cluster.services}
    for host in cluster.hosts:
        single = _get(cluster.hostvars, host, "lvs_backend_weight")
        if single is not None and (as_int(single) is None or not WEIGHT_MIN <= as_int(single) <= WEIGHT_MAX):
            problems.append(
                Problem("lvs_backend_weight", "must be an integer %d-%d, got %r" % (WEIGHT_MIN, WEIGHT_MAX, single), "set a weight 0 (drain) to 65535", host)
            )
        weights = _get(cluster.hostvars, host, "lvs_backend_weights")
        if weights is None:
            continue
        if not isinstance(weights, dict):
            problems.append(Problem("lvs_backend_weights", "must be a mapping {service name: weight}", "write e.g. {web: 50}", host))
            continue
        for name, value in weights.items():
            if name not in service_names:
                problems.append(Problem("lvs_backend_weights", "names unknown service %r" % (name,), "use one of: %s" % ", ".join(sorted(service_names)), host))
            elif as_int(value) is None or not WEIGHT_MIN <= as_int(value) <= WEIGHT_MAX:
                problems.append(
                    Problem(
                        "lvs_backend_weights",
                        "weight for %s must be an integer %d-%d, got %r" % (name, WEIGHT_MIN, WEIGHT_MAX, value),
                        "set a weight 0 (drain) to 65535",
                        host,
                    )
                )


def pool_states_known(cluster, problems, notes):
    """lvs_pool_states names backend groups of the services, and every state is one of BACKEND_STATES."""
    states = cluster.declared.get("lvs_pool_states")
    pools = sorted({b["group"] for s in cluster.services for b in s["backends"]})
    choices = ", ".join(BACKEND_STATES)
    if states is not None and not isinstance(states, dict):
        problems.append(
            Problem(
                "lvs_pool_states",
                "must be a mapping {backend group: state}, got %r" % (states,),
                "write e.g. lvs_pool_states: {%s: draining}" % (pools[0] if pools else "pool_blue"),
            )
        )
    for pool, state in sorted((states or {}).items() if isinstance(states, dict) else [], key=lambda kv: str(kv[0])):
        if pool not in pools:
            problems.append(
                Problem(
                    "lvs_pool_states",
                    "names %r, which is not a backend group of any service" % (pool,),
                    "use one of: %s" % (", ".join(pools) or "(no backends declared)"),
                )
            )
        if state not in BACKEND_STATES:
            problems.append(
                Problem("lvs_pool_states", "state of %s must be one of %s, got %r" % (pool, choices, state), "write %s: active (or draining, inactive)" % pool)
            )
    for host in cluster.hosts:
        state = _get(cluster.hostvars, host, "lvs_backend_state")
        if state is not None and state not in BACKEND_STATES:
            problems.append(
                Problem(
                    "lvs_backend_state", "must be one of %s, got %r" % (choices, state), "set lvs_backend_state: draining (or inactive), or remove it", host
                )
            )


def quorum_within_active_weight(cluster, problems, notes):
    """The active real servers' total weight reaches the service's quorum.

    A real server that is draining or inactive (lvs_pool_states, lvs_backend_state) or at
    weight 0 counts 0. keepalived's config test refuses a quorum above the total weight (rc 5:
    "quorum 2 for ... exceeds total weight of real servers 1"), so a drain that goes below it
    fails the rollout, and one that takes every real server out is an outage, not a drain:
    keepalived 2.2.7 cannot even be configured so (its quorum is at least 1).
    """
    for svc in cluster.services:
        quorum = svc["quorum"] if svc["quorum"] is not None else 1
        total, out, seen = 0, [], set()
        for backend in svc["backends"]:
            for host in cluster.groups.get(backend["group"]) or []:
                address = host_address(cluster.hostvars, host)
                state, declared, weight = serving_weight(cluster.hostvars, host, svc["name"], backend, cluster.pool_states)
                if address is None or declared is None or not WEIGHT_MIN <= declared <= WEIGHT_MAX or (address, backend["port"]) in seen:
                    continue  # reported by the other checks
                seen.add((address, backend["port"]))
                total += weight
                if weight == 0:
                    out.append("%s (%s)" % (host, state if state != "active" else "weight 0"))
        if not seen or total >= quorum:
            continue
        qvar = "lvs_services (%s).quorum" % svc["name"]
        why = "keepalived's config test refuses a quorum above the total weight"
        if total == 0:
            problems.append(
                Problem(
                    qvar,
                    "no real server of %s would be in service: %s. That is an outage, not a drain: nothing would "
                    "serve %s, and %s (keepalived's quorum is at least 1)" % (svc["name"], ", ".join(out), svc["name"], why),
                    "keep at least one pool of %s active (lvs_pool_states / lvs_backend_state, lvs_backend_weight), "
                    "drain the pools one at a time, or remove the service" % svc["name"],
                )
            )
        elif out:
            problems.append(
                Problem(
                    qvar,
                    "the active real servers of %s weigh %d in total with %s out of service, below quorum %d; %s"
                    % (svc["name"], total, ", ".join(out), quorum, why),
                    "drain fewer hosts at once (lvs_pool_states / lvs_backend_state, lvs_backend_weight) or lower quorum to at most %d" % total,
                )
            )
        else:
            problems.append(
                Problem(
                    qvar,
                    "%d is above the total weight %d of the real servers of %s; %s" % (quorum, total, svc["name"], why),
                    "lower quorum to at most %d or add real servers" % total,
                )
            )


# --- backends: per service, per backend group, per real server ------------------------------


class RealServer:
    """One host of a backend group of a service, as the real-server checks see it."""

    __slots__ = ("svc", "svar", "bvar", "inst", "directors", "host", "address", "port", "seen")

    def __init__(self, svc, svar, bvar, inst, directors, host, address, port, seen):
        self.svc = svc
        self.svar = svar
        self.bvar = bvar
        self.inst = inst
        self.directors = directors
        self.host = host
        self.address = address
        self.port = port
        self.seen = seen


def address_of_the_vip_family(cluster, rs, problems, notes):
    svc = rs.svc
    if svc["vip"] is not None and parse_ip(rs.address).version != parse_ip(svc["vip"]).version and svc["method"] != "tun":
        problems.append(
            Problem(
                "lvs_backend_address",
                "%s is not of the address family of VIP %s (%s)" % (rs.address, svc["vip"], svc["name"]),
                "give the real server an address of the VIP's family",
                rs.host,
            )
        )


def listed_once_per_service(cluster, rs, problems, notes):
    key = (rs.address, rs.port)
    if key in rs.seen:
        problems.append(
            Problem(
                "%s.backends" % rs.svar,
                "real server %s port %s appears twice (hosts %s and %s)" % (rs.address, rs.port, rs.seen[key], rs.host),
                "list each real server once per service",
                rs.host,
            )
        )
    rs.seen.setdefault(key, rs.host)


def director_is_not_its_dr_backend(cluster, rs, problems, notes):
    if rs.host in rs.directors and rs.svc["method"] == "dr":
        problems.append(
            Problem(
                rs.bvar,
                "host %s is both a director of %s and a DR real server of %s" % (rs.host, rs.inst["name"], rs.svc["name"]),
                "serve DR backends from hosts outside group %s" % rs.inst["group"],
                rs.host,
            )
        )


def dr_on_the_directors_segment(cluster, rs, problems, notes):
    """DR forwards by MAC: the real server is on a network of each director's VRRP interface (per facts)."""
    if rs.svc["method"] != "dr" or not rs.inst:
        return
    for director in rs.directors:
        nets = _interface_networks(cluster.hostvars, director, rs.inst["interface"])
        if nets is None:
            notes.append("%s: DR segment of %s not checked: no network facts of director %s (gather facts first)" % (rs.svar, rs.host, director))
            continue
        if not any(parse_ip(rs.address) in net for net in nets):
            problems.append(
                Problem(
                    rs.bvar,
                    "DR real server %s (%s) is not on director %s's segment %s (%s); "
                    "DR forwards by MAC and needs one L2 segment"
                    % (rs.host, rs.address, director, rs.inst["interface"], ", ".join(str(n) for n in nets) or "no address"),
                    "put the real server on the directors' segment, or use method: tun or nat",
                    rs.host,
                )
            )


def nat_route_back(cluster, rs, problems, notes):
    """A NAT real server is inside the nat_gateway's network (its replies go back through the directors)."""
    if rs.svc["method"] != "nat" or not rs.inst:
        return
    gw = rs.inst["nat_gateway"]
    if gw is None:
        return
    if parse_ip(rs.address) not in ipaddress.ip_network(gw["network"]):
        problems.append(
            Problem(
                rs.bvar,
                "NAT real server %s (%s) is outside %s, the network of nat_gateway %s of %s: "
                "its replies have no route back "
                "through the directors" % (rs.host, rs.address, gw["network"], gw["address"], rs.inst["name"]),
                "put the real server in %s or change nat_gateway" % gw["network"],
                rs.host,
            )
        )


# Checks of one real server (a host with an IP address), in this order for each host.
REAL_SERVER_CHECKS = (address_of_the_vip_family, listed_once_per_service, director_is_not_its_dr_backend, dr_on_the_directors_segment, nat_route_back)


def backends_reachable(cluster, problems, notes):
    """Backend groups exist and hold real servers with addresses the forwarding method can reach."""
    for svc in cluster.services:
        svar = "lvs_services (%s)" % svc["name"]
        inst = cluster.by_name.get(svc["vrrp_instance"])
        directors = list(cluster.groups.get(inst["group"], []) or []) if inst and inst["group"] else []
        seen = {}
        for index, backend in enumerate(svc["backends"]):
            bvar = "%s.backends[%d].group" % (svar, index)
            if backend["group"] not in cluster.groups:
                problems.append(
                    Problem(bvar, "inventory group %s does not exist" % backend["group"], "add the real servers to group %s or fix the name" % backend["group"])
                )
                continue
            hosts = list(cluster.groups.get(backend["group"]) or [])
            if not hosts:
                problems.append(Problem(bvar, "inventory group %s has no hosts" % backend["group"], "add real servers to it or remove the backend"))
                continue
            for host in hosts:
                address = host_address(cluster.hostvars, host)
                if address is None:
                    problems.append(
                        Problem(
                            "lvs_backend_address",
                            "real server of %s has no IP address (ansible_host %r is a name)" % (svc["name"], _get(cluster.hostvars, host, "ansible_host")),
                            "set lvs_backend_address to its address",
                            host,
                        )
                    )
                    continue
                rs = RealServer(svc, svar, bvar, inst, directors, host, address, backend["port"], seen)
                for check in REAL_SERVER_CHECKS:
                    check(cluster, rs, problems, notes)
        if svc["method"] == "nat" and inst and inst["nat_gateway"] is None:
            problems.append(
                Problem(
                    "lvs_vrrp_instances (%s).nat_gateway" % inst["name"],
                    "is not set but NAT service %s needs a route back for its real servers" % svc["name"],
                    "set nat_gateway: <floating inside address>/<prefix> and nat_interface on the instance",
                )
            )


# The cross-host checks, in the order their problems are reported.
CHECKS = (
    same_declaration_everywhere,
    vrrp_directors,
    interfaces_exist_on_directors,
    per_instance_maps_name_the_hosts_instances,
    vrrp_scripts_fit_in_quotes,
    vrrp_processes_are_usable,
    virtual_router_id_unique_per_segment,
    vips_and_gateways_are_free,
    vips_and_gateways_are_no_host_address_per_facts,
    nat_gateway_on_the_inside_network,
    own_addresses_per_facts,
    every_instance_carries_an_address,
    one_family_per_instance,
    host_weights_in_range,
    backends_reachable,
    pool_states_known,
    quorum_within_active_weight,
)


def validate_cluster(lvs_vrrp_instances, lvs_services, hostvars, groups, lvs_pool_states=None):
    """Return ``(problems, notes)``: every Problem of the declaration, and informational notes.

    ``lvs_pool_states``: the backend pools' states (a mapping, or None when not declared).

    Notes say what could not be checked (for example a DR segment check without the
    directors' network facts).
    """
    instances, services, problems = normalise(lvs_vrrp_instances, lvs_services)
    notes = []
    cluster = Cluster(
        {"lvs_vrrp_instances": lvs_vrrp_instances, "lvs_services": lvs_services, "lvs_pool_states": lvs_pool_states},
        instances,
        services,
        hostvars,
        groups,
        lvs_pool_states,
    )
    for check in CHECKS:
        check(cluster, problems, notes)
    # De-duplicate, keep order.
    return list(dict.fromkeys(problems)), list(dict.fromkeys(notes))
