# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IPVS table as plain data: virtual services, real servers, timeouts, sync daemons.

Addresses are stored normalised (``ipaddress`` compressed form) so that values parsed from
``ipvsadm`` output and values given by a user compare equal. Defaults that ``ipvsadm -S``
does not print (the host netmask of persistence, the ``nocsum`` tunnel flag) are stored as
the kernel reports them, so that a parsed entry and a desired entry are directly comparable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

PROTOCOLS = ("tcp", "udp", "sctp")
SERVICE_PROTOCOLS = PROTOCOLS + ("fwmark",)
FAMILIES = ("ipv4", "ipv6")
# Every scheduler ipvsadm 1.31 documents (ipvsadm(8)).
SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh")
DEFAULT_SCHEDULER = "wlc"
# Scheduler flag bits as ipvsadm names them: sh and mh have their own names for bits 1 and 2.
SCHED_FLAG_NAMES = {
    "sh": ("sh-fallback", "sh-port"),
    "mh": ("mh-fallback", "mh-port"),
}
GENERIC_SCHED_FLAGS = ("flag-1", "flag-2", "flag-3")
PERSISTENCE_ENGINES = ("sip",)
METHODS = ("dr", "nat", "tunnel")
TUN_TYPES = ("ipip", "gue", "gre")
TUN_CSUM = ("nocsum", "csum", "remcsum")
MAX_PERSISTENCE_TIMEOUT = 86400 * 31  # MAX_TIMEOUT of ipvsadm.c
MAX_PORT = 65535
MAX_WEIGHT = 65535
MAX_THRESHOLD = 65535
MAX_FWMARK = 4294967295


def bracket(address, family):
    """``2001:db8::1`` -> ``[2001:db8::1]`` for IPv6, unchanged for IPv4."""
    return "[%s]" % address if family == "ipv6" else address


def family_of(address):
    return "ipv6" if ":" in address else "ipv4"


@dataclass(frozen=True, order=True)
class ServiceKey:
    """What identifies a virtual service: protocol+address+port, or fwmark+family."""

    protocol: str
    address: Optional[str] = None
    port: Optional[int] = None
    fwmark: Optional[int] = None
    family: str = "ipv4"

    @property
    def is_fwmark(self):
        return self.protocol == "fwmark"

    def __str__(self):
        if self.is_fwmark:
            return "fwmark/%d%s" % (self.fwmark, "/ipv6" if self.family == "ipv6" else "")
        return "%s/%s:%d" % (self.protocol, bracket(self.address, self.family), self.port)

    def to_dict(self):
        if self.is_fwmark:
            return {"protocol": "fwmark", "fwmark": self.fwmark, "family": self.family}
        return {"protocol": self.protocol, "address": self.address, "port": self.port, "family": self.family}


@dataclass(frozen=True, order=True)
class ServerKey:
    """What identifies a real server inside one virtual service."""

    address: str
    port: int

    @property
    def family(self):
        return family_of(self.address)

    def __str__(self):
        return "%s:%d" % (bracket(self.address, self.family), self.port)


@dataclass
class RealServer:
    address: str
    port: int
    method: str = "dr"
    weight: int = 1
    upper_threshold: int = 0
    lower_threshold: int = 0
    tun_type: Optional[str] = None
    tun_port: Optional[int] = None
    tun_csum: Optional[str] = None
    # Read-only counters (filled by ipvs_info, ignored by the differ).
    active_conns: Optional[int] = field(default=None, compare=False)
    inactive_conns: Optional[int] = field(default=None, compare=False)

    @property
    def key(self):
        return ServerKey(self.address, self.port)

    def config(self):
        """The attributes that can be set: what the differ compares."""
        return (self.method, self.weight, self.upper_threshold, self.lower_threshold, self.tun_type, self.tun_port, self.tun_csum)

    def to_dict(self):
        data = dataclasses.asdict(self)
        if self.method != "tunnel":
            for name in ("tun_type", "tun_port", "tun_csum"):
                data.pop(name)
        for name in ("active_conns", "inactive_conns"):
            if data[name] is None:
                data.pop(name)
        return data


@dataclass
class VirtualService:
    key: ServiceKey
    scheduler: str = DEFAULT_SCHEDULER
    sched_flags: Tuple[str, ...] = ()
    persistence_timeout: Optional[int] = None
    # None: the default (host granularity: 255.255.255.255 or 128).
    persistence_netmask: Optional[str] = None
    persistence_engine: Optional[str] = None
    one_packet: bool = False
    real_servers: Dict[ServerKey, RealServer] = field(default_factory=dict)

    def config(self):
        return (self.scheduler, tuple(self.sched_flags), self.persistence_timeout, self.persistence_netmask, self.persistence_engine, self.one_packet)

    def to_dict(self, with_servers=True):
        data = self.key.to_dict()
        data.update(
            {
                "scheduler": self.scheduler,
                "scheduler_flags": list(self.sched_flags),
                "persistence_timeout": self.persistence_timeout,
                "persistence_netmask": self.persistence_netmask,
                "persistence_engine": self.persistence_engine,
                "one_packet": self.one_packet,
            }
        )
        if with_servers:
            data["real_servers"] = [self.real_servers[k].to_dict() for k in sorted(self.real_servers)]
        return data


Table = Dict[ServiceKey, VirtualService]


@dataclass
class Timeouts:
    tcp: int
    tcpfin: int
    udp: int

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclass
class SyncDaemon:
    role: str  # master | backup
    mcast_interface: str
    syncid: int = 0
    sync_maxlen: Optional[int] = None
    mcast_group: Optional[str] = None
    mcast_port: Optional[int] = None
    mcast_ttl: Optional[int] = None

    def to_dict(self):
        return dataclasses.asdict(self)
