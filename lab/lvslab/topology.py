# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Topology files: parsing, validation and every name/address/MAC the lab derives from them.

Pure code (no host access), unit-tested in tests/unit/lab/.

Format (YAML)::

    name: lab                 # [a-z0-9-], keys the namespace, state dir and mounts
    memory: 256               # MiB per guest (default 256), a guest may override it
    management:               # optional; the implicit SSH/Ansible segment (vec0)
      subnet: 203.0.113.0/24  # default; the lab namespace is .1 on it
    networks:                 # data segments, in order: vec1, vec2, ...
      - name: front
        subnet: 192.0.2.0/24
        client: 192.0.2.254   # optional: the client endpoint's address on this segment
      - name: back
        subnet: 198.51.100.0/24
    guests:
      - name: dir1
        groups: [directors]
        memory: 384
        management: 203.0.113.11   # optional; default .10 + position in the list
        addresses:                # network name -> address (prefix taken from the subnet)
          front: 192.0.2.11
          back: 198.51.100.11
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import re

import yaml

from .errors import TopologyError

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
HOST_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
NET_RE = re.compile(r"^[a-z][a-z0-9_]{0,14}$")
GROUP_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MGMT_NAME = "mgmt"
DEFAULT_MGMT_SUBNET = "203.0.113.0/24"
DEFAULT_MEMORY = 256
MIN_MEMORY, MAX_MEMORY = 128, 4096
# The network rule: lab addresses only from the documentation ranges (RFC 5737).
ALLOWED_RANGES = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
MAX_GUESTS = 64


@dataclasses.dataclass(frozen=True)
class Network:
    name: str
    index: int  # 0 = management, data segments from 1 in file order
    subnet: ipaddress.IPv4Network
    client: ipaddress.IPv4Address | None  # the lab namespace's address on this segment

    @property
    def bridge(self) -> str:
        """Bridge inside the lab namespace (names only need to be unique in that namespace)."""
        return "lbr%d" % self.index

    @property
    def guest_ifname(self) -> str:
        """Interface name inside every guest attached to this segment."""
        return "vec%d" % self.index


@dataclasses.dataclass(frozen=True)
class Interface:
    network: Network
    address: ipaddress.IPv4Interface
    tap: str
    mac: str

    @property
    def name(self) -> str:
        return self.network.guest_ifname


@dataclasses.dataclass(frozen=True)
class Guest:
    name: str
    index: int
    groups: tuple
    memory: int
    interfaces: tuple  # Interface, management first, then data segments in topology order

    @property
    def mgmt(self) -> Interface:
        return self.interfaces[0]

    def interface(self, network: str) -> Interface:
        for iface in self.interfaces:
            if iface.network.name == network:
                return iface
        raise KeyError(network)


@dataclasses.dataclass(frozen=True)
class Topology:
    name: str
    path: str
    management: Network
    networks: tuple  # data Networks in order
    guests: tuple
    digest: str  # changes when anything that shapes the running lab changes

    @property
    def namespace(self) -> str:
        return "lvslab-" + self.name

    @property
    def all_networks(self):
        return (self.management,) + tuple(self.networks)

    def network(self, name: str) -> Network:
        for net in self.all_networks:
            if net.name == name:
                return net
        raise KeyError(name)

    def guest(self, name: str) -> Guest:
        for guest in self.guests:
            if guest.name == name:
                return guest
        raise KeyError(name)

    def groups(self):
        """group name -> [guest names] in topology order."""
        out = {}
        for guest in self.guests:
            for group in guest.groups:
                out.setdefault(group, []).append(guest.name)
        return out


def tap_name(guest_index: int, net_index: int) -> str:
    """Host-side tap of a guest interface, inside the lab namespace (<= 15 chars)."""
    return "lt%dn%d" % (guest_index, net_index)


def mac_address(topology_name: str, guest_index: int, net_index: int) -> str:
    """Locally administered, unicast, unique per guest interface (and varied per topology)."""
    tbyte = hashlib.sha256(topology_name.encode()).digest()[0]
    return "02:1b:%02x:%02x:%02x:%02x" % (tbyte, (guest_index >> 8) & 0xFF, guest_index & 0xFF, net_index & 0xFF)


def _in_allowed(net) -> bool:
    return any(net.subnet_of(r) for r in ALLOWED_RANGES)


def _parse_subnet(value, where, problems):
    try:
        net = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        problems.append("%s: %r is not an IPv4 subnet like 192.0.2.0/24 (%s)" % (where, value, exc))
        return None
    if not _in_allowed(net):
        problems.append(
            "%s: %s is outside the lab's address ranges; use a subnet of 192.0.2.0/24, "
            "198.51.100.0/24 or 203.0.113.0/24 (documentation ranges only)" % (where, net)
        )
        return None
    if net.num_addresses < 4:
        problems.append("%s: %s is too small; use at least a /30" % (where, net))
        return None
    return net


def _parse_host_address(value, subnet, where, problems):
    text = str(value)
    try:
        addr = ipaddress.IPv4Interface(text if "/" in text else "%s/%d" % (text, subnet.prefixlen))
    except ValueError:
        problems.append("%s: %r is not an IPv4 address" % (where, value))
        return None
    if addr.network != subnet:
        problems.append("%s: %s is not in the segment's subnet %s" % (where, addr, subnet))
        return None
    if addr.ip in (subnet.network_address, subnet.broadcast_address):
        problems.append("%s: %s is the network or broadcast address of %s" % (where, addr.ip, subnet))
        return None
    return addr


def load(path: str) -> Topology:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise TopologyError(path, ["file not found"]) from exc
    except yaml.YAMLError as exc:
        raise TopologyError(path, ["not valid YAML: %s" % exc]) from exc
    return parse(data, path)


def _check_keys(obj, allowed, where, problems):
    for key in obj:
        if key not in allowed:
            problems.append("%s: unknown key %r (allowed: %s)" % (where, key, ", ".join(sorted(allowed))))


def parse(data, path: str = "<topology>") -> Topology:
    """Validate a topology mapping; collect every problem and raise one TopologyError listing them all."""
    problems = []
    if not isinstance(data, dict):
        raise TopologyError(path, ["the file must be a mapping with name, networks and guests"])
    _check_keys(data, {"name", "memory", "management", "networks", "guests"}, "top level", problems)
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append("name: %r must match %s (lowercase letter, then letters, digits, '-', at most 20)" % (name, NAME_RE.pattern))
        name = "invalid"
    default_memory = data.get("memory", DEFAULT_MEMORY)
    if not isinstance(default_memory, int) or not MIN_MEMORY <= default_memory <= MAX_MEMORY:
        problems.append("memory: %r must be an integer number of MiB between %d and %d" % (default_memory, MIN_MEMORY, MAX_MEMORY))
        default_memory = DEFAULT_MEMORY

    mgmt_data = data.get("management") or {}
    if not isinstance(mgmt_data, dict):
        problems.append("management: must be a mapping like {subnet: 203.0.113.0/24}")
        mgmt_data = {}
    _check_keys(mgmt_data, {"subnet"}, "management", problems)
    mgmt_subnet = _parse_subnet(mgmt_data.get("subnet", DEFAULT_MGMT_SUBNET), "management.subnet", problems)
    mgmt_net = None
    if mgmt_subnet is not None:
        mgmt_net = Network(MGMT_NAME, 0, mgmt_subnet, mgmt_subnet.network_address + 1)

    networks = []
    raw_nets = data.get("networks") or []
    if not isinstance(raw_nets, list):
        problems.append("networks: must be a list of {name, subnet} mappings")
        raw_nets = []
    seen_nets = {MGMT_NAME}
    for i, raw in enumerate(raw_nets, start=1):
        where = "networks[%d]" % (i - 1)
        if not isinstance(raw, dict):
            problems.append("%s: must be a mapping with name and subnet" % where)
            continue
        _check_keys(raw, {"name", "subnet", "client"}, where, problems)
        nname = raw.get("name")
        if not isinstance(nname, str) or not NET_RE.match(nname):
            problems.append("%s.name: %r must match %s" % (where, nname, NET_RE.pattern))
            continue
        where = "networks[%s]" % nname
        if nname in seen_nets:
            problems.append("%s: duplicate network name%s" % (where, " ('mgmt' is the implicit management segment)" if nname == MGMT_NAME else ""))
            continue
        seen_nets.add(nname)
        subnet = _parse_subnet(raw.get("subnet"), where + ".subnet", problems)
        if subnet is None:
            continue
        client = None
        if raw.get("client") is not None:
            iface = _parse_host_address(raw["client"], subnet, where + ".client", problems)
            client = iface.ip if iface else None
        networks.append(Network(nname, i, subnet, client))
    all_nets = ([mgmt_net] if mgmt_net else []) + networks
    for a_i, net_a in enumerate(all_nets):
        for net_b in all_nets[a_i + 1 :]:
            if net_a.subnet.overlaps(net_b.subnet):
                problems.append("networks %s (%s) and %s (%s) overlap; give each segment its own subnet" % (net_a.name, net_a.subnet, net_b.name, net_b.subnet))
    net_by_name = {n.name: n for n in networks}

    raw_guests = data.get("guests")
    if not isinstance(raw_guests, list) or not raw_guests:
        problems.append("guests: must be a non-empty list of {name, groups, addresses} mappings")
        raw_guests = []
    if len(raw_guests) > MAX_GUESTS:
        problems.append("guests: at most %d guests" % MAX_GUESTS)
    used = {}  # address -> who
    for net in all_nets:
        if net.client is not None:
            used[(net.name, net.client)] = "the lab client on %s" % net.name if net.index else "the lab namespace on mgmt"
    guests = []
    seen_guests = set()
    for idx, raw in enumerate(raw_guests):
        where = "guests[%d]" % idx
        if not isinstance(raw, dict):
            problems.append("%s: must be a mapping with name, groups and addresses" % where)
            continue
        gname = raw.get("name")
        if not isinstance(gname, str) or not HOST_RE.match(gname):
            problems.append("%s.name: %r must be a host name matching %s" % (where, gname, HOST_RE.pattern))
            continue
        where = "guests[%s]" % gname
        _check_keys(raw, {"name", "groups", "memory", "management", "addresses"}, where, problems)
        if gname in seen_guests:
            problems.append("%s: duplicate guest name" % where)
            continue
        seen_guests.add(gname)
        groups = raw.get("groups") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) and GROUP_RE.match(g) for g in groups):
            problems.append("%s.groups: %r must be a list of Ansible group names ([A-Za-z_][A-Za-z0-9_]*)" % (where, groups))
            groups = []
        elif set(groups) & {"all", "ungrouped"}:
            problems.append("%s.groups: 'all' and 'ungrouped' are Ansible's own groups" % where)
        memory = raw.get("memory", default_memory)
        if not isinstance(memory, int) or not MIN_MEMORY <= memory <= MAX_MEMORY:
            problems.append("%s.memory: %r must be an integer number of MiB between %d and %d" % (where, memory, MIN_MEMORY, MAX_MEMORY))
            memory = default_memory
        ifaces = []
        if mgmt_net is not None:
            if raw.get("management") is not None:
                maddr = _parse_host_address(raw["management"], mgmt_net.subnet, where + ".management", problems)
            else:
                cand = mgmt_net.subnet.network_address + 10 + idx
                if cand >= mgmt_net.subnet.broadcast_address:
                    problems.append(
                        "%s.management: the management subnet %s has no room for a default address; "
                        "set management: <address> or use a larger subnet" % (where, mgmt_net.subnet)
                    )
                    maddr = None
                else:
                    maddr = ipaddress.IPv4Interface("%s/%d" % (cand, mgmt_net.subnet.prefixlen))
            if maddr is not None:
                ifaces.append(Interface(mgmt_net, maddr, tap_name(idx, 0), mac_address(name, idx, 0)))
        addresses = raw.get("addresses") or {}
        if not isinstance(addresses, dict):
            problems.append("%s.addresses: must map network names to addresses, e.g. {front: 192.0.2.11}" % where)
            addresses = {}
        for nname in addresses:
            if nname == MGMT_NAME:
                problems.append("%s.addresses.mgmt: set the management address with 'management:' on the guest" % where)
            elif nname not in net_by_name:
                problems.append("%s.addresses: unknown network %r; declared networks: %s" % (where, nname, ", ".join(n.name for n in networks) or "(none)"))
        for net in networks:
            if net.name not in addresses:
                continue
            addr = _parse_host_address(addresses[net.name], net.subnet, "%s.addresses.%s" % (where, net.name), problems)
            if addr is not None:
                ifaces.append(Interface(net, addr, tap_name(idx, net.index), mac_address(name, idx, net.index)))
        for iface in ifaces:
            key = (iface.network.name, iface.address.ip)
            if key in used:
                problems.append("%s: duplicate address %s on %s (already used by %s)" % (where, iface.address.ip, iface.network.name, used[key]))
            else:
                used[key] = "guest %s" % gname
        guests.append(Guest(gname, idx, tuple(groups), memory, tuple(ifaces)))
    group_names = {g for guest in guests for g in guest.groups}
    clash = group_names & seen_guests
    if clash:
        problems.append("groups and guests share names %s; Ansible needs them distinct" % ", ".join(sorted(clash)))
    if problems:
        raise TopologyError(path, problems)
    canon = repr(
        (
            name,
            [(n.name, str(n.subnet), str(n.client)) for n in all_nets],
            [(g.name, g.memory, g.groups, [(i.network.name, str(i.address), i.mac) for i in g.interfaces]) for g in guests],
        )
    )
    digest = hashlib.sha256(canon.encode()).hexdigest()[:16]
    return Topology(name, path, mgmt_net, tuple(networks), tuple(guests), digest)
