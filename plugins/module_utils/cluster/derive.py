# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Derivations from the inventory model: what each host carries, and keepalived's view.

Every function takes the raw inventory values (``lvs_services``, ``lvs_vrrp_instances``,
``groups``, ``hostvars``), normalises them through :mod:`model`, and raises
:class:`model.ModelError` listing every problem when the declaration is not usable.
``hostvars`` may be any mapping of host name -> mapping of variables (Ansible's lazy
HostVars included): only the variables named here are read.
"""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import (
    BACKEND_STATES,
    METHODS,
    NOTIFY_KEYS,
    ORDER_PRIORITIES,
    PRIORITY_MAX,
    PRIORITY_MIN,
    SERVING_STATE,
    WEIGHT_MAX,
    WEIGHT_MIN,
    ModelError,
    Problem,
    as_int,
    normalise,
    normalise_services,
    parse_ip,
)


_UNSET = object()


class HostvarsOnce:
    """``hostvars`` read once per host and variable, for one derivation or one preflight.

    Ansible's HostVars builds all of a host's variables anew on every ``hostvars[host]`` (one
    VariableManager.get_vars, extra vars and all), and a derivation reads a few variables of
    every real server of every service: 5,000 of those reads made one director_keepalived of
    1,000 real servers take 2 s instead of 0.04 s. Only what was read is kept, for the call's life.
    """

    __slots__ = ("_hostvars", "_hosts", "_values")

    def __init__(self, hostvars):
        self._hostvars = hostvars
        self._hosts = {}  # host: its HostVars view (one get_vars), or {} for a host not in the inventory
        self._values = {}  # (host, name): the value read from that view, or _UNSET

    def get_var(self, host, name):
        """The host's ``name`` (``_UNSET`` when the host or the variable is unknown)."""
        key = (host, name)
        if key not in self._values:
            view = self._hosts.get(host)
            if view is None:
                try:
                    view = self._hosts[host] = self._hostvars[host]
                except KeyError:
                    view = self._hosts[host] = {}
            try:
                self._values[key] = view.get(name, _UNSET)
            except AttributeError:
                self._values[key] = _UNSET
        return self._values[key]


def once(hostvars):
    """``hostvars`` wrapped in :class:`HostvarsOnce` (as it is when it is one already)."""
    return hostvars if isinstance(hostvars, HostvarsOnce) else HostvarsOnce(hostvars)


def _get(hostvars, host, name, default=None):
    value = once(hostvars).get_var(host, name)
    return default if value is None or value is _UNSET else value


def _strict(problems):
    if problems:
        raise ModelError(problems)


# --- real servers --------------------------------------------------------------------------


def realserver_vips(lvs_services, group_names, method):
    """Sorted unique VIPs of the ``method`` services that list one of ``group_names`` as backend."""
    if method not in METHODS:
        raise ModelError([Problem("method", "unknown forwarding method %r" % (method,), "use one of: %s" % ", ".join(METHODS))])
    problems = []
    services = normalise_services(lvs_services, None, problems)
    _strict(problems)
    mine = set(group_names or [])
    vips = {s["vip"] for s in services if s["method"] == method and any(b["group"] in mine for b in s["backends"])}
    return sorted(vips, key=lambda v: (parse_ip(v).version, parse_ip(v)))


def backend_pools(lvs_services):
    """Sorted backend groups (pools) of every service: what lvs_pool_states and drain.yml may name."""
    problems = []
    services = normalise_services(lvs_services, None, problems)
    _strict(problems)
    return sorted({b["group"] for s in services for b in s["backends"]})


def realserver_nat_gateways(lvs_services, lvs_vrrp_instances, group_names):
    """The nat_gateway of each VRRP instance whose ``nat`` services the host backs.

    Returns a list of ``{address, prefix, instance}`` in instance declaration order.
    """
    instances, services, problems = normalise(lvs_vrrp_instances, lvs_services)
    _strict(problems)
    mine = set(group_names or [])
    wanted = {s["vrrp_instance"] for s in services if s["method"] == "nat" and any(b["group"] in mine for b in s["backends"])}
    result = []
    for inst in instances:
        if inst["name"] not in wanted:
            continue
        if inst["nat_gateway"] is None:
            problems.append(
                Problem(
                    "lvs_vrrp_instances (%s).nat_gateway" % inst["name"],
                    "is not set but NAT services of this instance need it",
                    "set nat_gateway: <floating inside address>/<prefix> and nat_interface on the instance",
                )
            )
            continue
        result.append({"address": inst["nat_gateway"]["address"], "prefix": inst["nat_gateway"]["prefix"], "instance": inst["name"]})
    _strict(problems)
    return result


# --- addresses, weights, VRRP membership ---------------------------------------------------


def host_address(hostvars, host):
    """Address a real server is reached at: lvs_backend_address, else ansible_host, else its name."""
    for candidate in (_get(hostvars, host, "lvs_backend_address"), _get(hostvars, host, "ansible_host"), host):
        ip = parse_ip(candidate) if isinstance(candidate, str) else None
        if ip is not None:
            return str(ip)
    return None


def director_address(hostvars, host, interface):
    """A director's own address on ``interface``: director_vrrp_address, else facts, else ansible_host."""
    explicit = parse_ip(_get(hostvars, host, "director_vrrp_address"))
    if explicit is not None:
        return str(explicit)
    facts = _get(hostvars, host, "ansible_facts", {}) or {}
    iface = facts.get(interface.replace("-", "_"), {}) if interface else {}
    address = (iface.get("ipv4") or {}).get("address") if isinstance(iface, dict) else None
    if parse_ip(address) is not None:
        return address
    ip = parse_ip(_get(hostvars, host, "ansible_host"))
    return str(ip) if ip is not None else None


def backend_weight(hostvars, host, service, default):
    """Per-host weight: lvs_backend_weights[service] wins over lvs_backend_weight, then the group's."""
    weights = _get(hostvars, host, "lvs_backend_weights", {}) or {}
    if isinstance(weights, dict) and service in weights:
        return as_int(weights[service])
    single = _get(hostvars, host, "lvs_backend_weight")
    if single is not None:
        return as_int(single)
    return default


def backend_state(hostvars, host, group, pool_states):
    """The state of ``host`` as a real server of backend ``group``: the later, in
    :data:`model.BACKEND_STATES` order, of ``pool_states[group]`` (lvs_pool_states) and the
    host's own ``lvs_backend_state``; ``active`` when neither is set. Values that are not a
    state are ignored here (the preflight reports them)."""
    candidates = [pool_states.get(group) if isinstance(pool_states, dict) else None, _get(hostvars, host, "lvs_backend_state")]
    known = [c for c in candidates if c in BACKEND_STATES]
    return max(known, key=BACKEND_STATES.index) if known else SERVING_STATE


def serving_weight(hostvars, host, service, backend, pool_states):
    """``(state, declared weight, weight keepalived is given)``: 0 unless the state is active."""
    declared = backend_weight(hostvars, host, service, backend["weight"])
    state = backend_state(hostvars, host, backend["group"], pool_states)
    return state, declared, declared if state == SERVING_STATE else 0


def _per_instance(value, instance):
    if isinstance(value, dict):
        return value.get(instance)
    return value


def preempting(instance):
    """Whether the instance preempts at once: no nopreempt, no preempt_delay above 0.

    keepalived 2.2.7 refuses ``state MASTER`` with either option ("(VI_1) Warning - nopreempt
    will not work with initial state MASTER - clearing", "preempt delay will not work ...",
    config test rc 5; ``preempt_delay 0`` is accepted, it is no delay): such an instance starts
    every member BACKUP and its priorities alone elect the MASTER.
    """
    return not instance.get("nopreempt") and not instance.get("preempt_delay")


def vrrp_members(instance, groups, hostvars):
    """Members of a VRRP instance in inventory order: [{host, priority, state, explicit_state, top}].

    Priority: host var director_vrrp_priority (an int, or {instance: int}); otherwise the
    host's position in the instance's group (150, 100, 90, ...). State: host var
    director_vrrp_state (MASTER/BACKUP, or {instance: ...}) when set; otherwise MASTER for the
    highest priority and BACKUP for the others, or BACKUP for every member of an instance that
    does not preempt (:func:`preempting`). ``top`` marks the highest priority: the director VRRP
    elects MASTER whatever the initial states (site.yml rolls it out last where the instance
    preempts, first where it does not: see playbooks/sort.yml).
    """
    hosts = list(groups.get(instance["group"], []) or [])
    members = []
    for position, host in enumerate(hosts):
        raw = _per_instance(_get(hostvars, host, "director_vrrp_priority"), instance["name"])
        if raw is None:
            priority = ORDER_PRIORITIES[position] if position < len(ORDER_PRIORITIES) else max(1, 10 - (position - len(ORDER_PRIORITIES) + 1))
        else:
            priority = as_int(raw)
        state = _per_instance(_get(hostvars, host, "director_vrrp_state"), instance["name"])
        members.append(
            {
                "host": host,
                "priority": priority,
                "priority_raw": raw,
                "state": state.upper() if isinstance(state, str) else None,
                "explicit_state": state is not None,
            }
        )
    valid = [m["priority"] for m in members if isinstance(m["priority"], int)]
    top = max(valid) if valid else None
    starts_master = preempting(instance)
    for member in members:
        member["top"] = top is not None and member["priority"] == top
        if member["state"] is None:
            member["state"] = "MASTER" if member["top"] and starts_master else "BACKUP"
    return members


# --- the order site.yml rolls the directors out in ------------------------------------------

# playbooks/sort.yml's rank groups, in rollout order (the comments there say who goes where).
ROLLOUT_RANKS = ("lvs_director_0_elect", "lvs_director_1_backup", "lvs_director_2_master")


def director_rollout(groups, hostvars):
    """site.yml's batches of directors: ``[[host, ...], ...]``, rolled out one batch after the other.

    A VRRP cluster is a set of directors joined by the VRRP instances they share (an instance's
    ``group``; an active/active pair is one cluster, and so is a chain of instances). Within a
    cluster, the directors keep sort.yml's order (its rank groups, then inventory order), one per
    batch: the n-th director of every cluster is in batch n. So a cluster is never reloaded twice
    at once, and 50 clusters take as many batches as the largest has directors, not 100. A
    director that fails or goes unreachable before the play does not shift the others: Ansible
    cuts the batches from the play's whole host list, failed hosts included (they do not run).
    Under ``--limit``, sort.yml ranks only the hosts of the limit, so the batches hold only those.
    """
    order = []
    for rank in ROLLOUT_RANKS:
        order += [host for host in groups.get(rank, []) or [] if host not in order]
    parent = {host: host for host in order}

    def root(host):
        while parent[host] != host:
            parent[host] = parent[parent[host]]
            host = parent[host]
        return host

    view = once(hostvars)
    for host in order:
        for instance in _get(view, host, "lvs_vrrp_instances", []) or []:
            group = instance.get("group") if isinstance(instance, dict) else None
            members = (groups.get(group) or []) if isinstance(group, str) else []
            for member in members:
                if member in parent:
                    parent[root(member)] = root(host)
    batches, position = [], {}
    for host in order:
        cluster = root(host)
        index = position[cluster] = position.get(cluster, -1) + 1
        if index == len(batches):
            batches.append([])
        batches[index].append(host)
    return batches


# --- the director's keepalived configuration ----------------------------------------------


def director_keepalived(lvs_vrrp_instances, lvs_services, hostvars, groups, inventory_hostname, pool_states=None):
    """What keepalived.conf on ``inventory_hostname`` contains.

    Returns ``{vrrp_instances: [...], virtual_servers: [...], uses_scripts: bool, methods: [...], schedulers: [...], marks: [...]}``
    covering the instances whose ``group`` holds the host and the services of those instances.
    Each real server carries its ``pool`` (backend group), ``state`` (:func:`backend_state`
    with ``pool_states``, the inventory's ``lvs_pool_states``), ``declared_weight`` and
    ``weight`` (0 unless active).
    """
    instances, services, problems = normalise(lvs_vrrp_instances, lvs_services)
    _strict(problems)
    hostvars = once(hostvars)
    result_instances = []
    mine = set()
    for inst in instances:
        if inventory_hostname not in (groups.get(inst["group"]) or []):
            continue
        mine.add(inst["name"])
        members = vrrp_members(inst, groups, hostvars)
        me = [m for m in members if m["host"] == inventory_hostname][0]
        if not isinstance(me["priority"], int) or not PRIORITY_MIN <= me["priority"] <= PRIORITY_MAX:
            problems.append(
                Problem(
                    "director_vrrp_priority",
                    "must be an integer %d-%d for instance %s, got %r" % (PRIORITY_MIN, PRIORITY_MAX, inst["name"], me["priority_raw"]),
                    "fix the host variable",
                    inventory_hostname,
                )
            )
            continue
        if me["state"] not in ("MASTER", "BACKUP"):
            problems.append(Problem("director_vrrp_state", "must be MASTER or BACKUP, got %r" % (me["state"],), "fix or remove it", inventory_hostname))
            continue
        entry = dict(inst)
        # The password stays out of the derived data (it is rendered by a separate, no_log task).
        entry["auth"] = entry.pop("auth_pass") is not None
        entry["state"] = me["state"]
        entry["priority"] = me["priority"]
        entry["top_priority"] = me["top"]
        entry["preempting"] = preempting(inst)
        entry["unicast_src_ip"] = None
        entry["unicast_peer"] = []
        addresses = {m["host"]: director_address(hostvars, m["host"], inst["interface"]) for m in members}
        if inst["unicast_peers"]:
            entry["unicast_src_ip"] = addresses[inventory_hostname]
            for member in members:
                if member["host"] == inventory_hostname:
                    continue
                peer = addresses[member["host"]]
                if peer is None:
                    problems.append(
                        Problem(
                            "director_vrrp_address",
                            "no address for unicast peer %s on %s" % (member["host"], inst["interface"]),
                            "set director_vrrp_address on that host or gather its facts",
                            member["host"],
                        )
                    )
                    continue
                entry["unicast_peer"].append(peer)
        # Every director of the instance (this one included): the only sources of its VRRP adverts and
        # IPVS sync messages that the director's packet filter accepts (filter.yml).
        entry["pair_addresses"] = sorted({a for a in addresses.values() if a}, key=lambda a: (parse_ip(a).version, parse_ip(a)))
        vips = []
        for svc in services:
            if svc["vrrp_instance"] == inst["name"]:
                cidr = "%s/%d" % (svc["vip"], 128 if svc["family"] == "ipv6" else 32)
                if cidr not in vips:
                    vips.append(cidr)
        entry["virtual_ipaddress"] = [{"cidr": c, "dev": inst["interface"]} for c in vips]
        if inst["nat_gateway"]:
            entry["virtual_ipaddress"].append({"cidr": "%s/%d" % (inst["nat_gateway"]["address"], inst["nat_gateway"]["prefix"]), "dev": inst["nat_interface"]})
        result_instances.append(entry)
    virtual_servers = []
    for svc in services:
        if svc["vrrp_instance"] not in mine:
            continue
        vs = dict(svc)
        vs["real_servers"] = []
        seen = {}
        for backend in svc["backends"]:
            hosts = groups.get(backend["group"])
            if not hosts:
                state = "empty" if hosts is not None else "missing"
                problems.append(
                    Problem(
                        "lvs_services (%s).backends" % svc["name"],
                        "backend group %s is %s" % (backend["group"], state),
                        "add hosts to group %s or remove it from the service" % backend["group"],
                    )
                )
                continue
            for host in hosts:
                address = host_address(hostvars, host)
                if address is None:
                    problems.append(
                        Problem(
                            "lvs_backend_address",
                            "real server of %s has no IP address (ansible_host is not an address)" % svc["name"],
                            "set lvs_backend_address",
                            host,
                        )
                    )
                    continue
                state, declared, weight = serving_weight(hostvars, host, svc["name"], backend, pool_states)
                if declared is None or not WEIGHT_MIN <= declared <= WEIGHT_MAX:
                    problems.append(
                        Problem(
                            "lvs_backend_weights",
                            "weight for %s must be an integer %d-%d" % (svc["name"], WEIGHT_MIN, WEIGHT_MAX),
                            "fix the host variable",
                            host,
                        )
                    )
                    continue
                key = (address, backend["port"])
                if key in seen:
                    problems.append(
                        Problem(
                            "lvs_services (%s).backends" % svc["name"],
                            "real server %s:%s appears twice (hosts %s and %s)" % (address, backend["port"], seen[key], host),
                            "list each real server once",
                        )
                    )
                    continue
                seen[key] = host
                vs["real_servers"].append(
                    {
                        "host": host,
                        "address": address,
                        "port": backend["port"],
                        "weight": weight,
                        "pool": backend["group"],
                        "state": state,
                        "declared_weight": declared,
                        "uthreshold": backend["uthreshold"],
                        "lthreshold": backend["lthreshold"],
                        "notify_up": backend["notify_up"],
                        "notify_down": backend["notify_down"],
                    }
                )
        virtual_servers.append(vs)
    _strict(problems)
    uses_scripts = (
        any(inst[key] for inst in result_instances for key in NOTIFY_KEYS)
        or any(vs["health_check"]["type"] == "MISC_CHECK" or vs["quorum_up"] or vs["quorum_down"] for vs in virtual_servers)
        or any(rs["notify_up"] or rs["notify_down"] for vs in virtual_servers for rs in vs["real_servers"])
    )
    return {
        "vrrp_instances": result_instances,
        "virtual_servers": virtual_servers,
        "uses_scripts": uses_scripts,
        "methods": sorted({vs["method"] for vs in virtual_servers}),
        # What the director marks for its fwmark services with ports (nftables.nft.j2).
        "marks": [
            {"service": vs["name"], "fwmark": vs["fwmark"], "family": vs["family"], "vip": vs["vip"], "protocol": vs["ports_protocol"], "ports": vs["ports"]}
            for vs in virtual_servers
            if vs["protocol"] == "fwmark" and vs["ports"]
        ],
        "schedulers": sorted({vs["scheduler"] for vs in virtual_servers}),
    }
