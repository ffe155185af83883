# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's network namespace: one bridge per segment, one tap per guest interface, all inside it.

Nothing is created outside the namespace, so names only need to be unique within it and several
topologies run side by side. Offloads are turned off on taps and bridges (see docs/lab.md: with
them on, host-to-guest TCP crawls).
"""

from __future__ import annotations

import os

from .util import in_netns, netns_path, run

OFFLOADS = ["tso", "off", "gso", "off", "gro", "off", "tx", "off", "sg", "off"]


def exists(topo) -> bool:
    return os.path.exists(netns_path(topo.namespace))


def _ethtool_off(ns, dev):
    # Some offloads are fixed on some devices; ethtool then exits non-zero for that flag only.
    run(in_netns(ns, ["ethtool", "-K", dev] + OFFLOADS), check=False)


def create(topo) -> None:
    """Create the namespace with its bridges and taps (the caller has removed any stale one)."""
    ns = topo.namespace
    run(["ip", "netns", "add", ns])
    lines = ["link set lo up"]
    for net in topo.all_networks:
        lines.append("link add %s type bridge stp_state 0 forward_delay 0 mcast_snooping 0" % net.bridge)
        if net.client is not None:
            lines.append("address add %s/%d dev %s" % (net.client, net.subnet.prefixlen, net.bridge))
        lines.append("link set %s up" % net.bridge)
    for guest in topo.guests:
        for iface in guest.interfaces:
            lines.append("tuntap add dev %s mode tap" % iface.tap)
            lines.append("link set %s master %s" % (iface.tap, iface.network.bridge))
            lines.append("link set %s up" % iface.tap)
    run(["ip", "-n", ns, "-batch", "-"], input_text="\n".join(lines) + "\n")
    # The namespace is a client, never a router between segments.
    run(in_netns(ns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=0"]), check=False)
    for net in topo.all_networks:
        _ethtool_off(ns, net.bridge)
    for guest in topo.guests:
        for iface in guest.interfaces:
            _ethtool_off(ns, iface.tap)


def delete(topo) -> None:
    if exists(topo):
        # Deleting the namespace deletes its bridges and taps with it.
        run(["ip", "netns", "delete", topo.namespace])


def set_link(topo, guest, network: str, up: bool) -> None:
    """Cut or restore one guest's link on one segment: detach its tap from the segment's bridge.

    The tap itself stays up: UML's vector driver does not recover from a tap that was set down
    (its transmit path stays dead after the tap comes back), while a detached tap just drops
    what the guest sends, like a pulled cable behind the switch port.
    """
    iface = guest.interface(network)
    if up:
        run(["ip", "-n", topo.namespace, "link", "set", iface.tap, "master", iface.network.bridge])
    else:
        run(["ip", "-n", topo.namespace, "link", "set", iface.tap, "nomaster"])


def link_state(topo, guest, network: str) -> str:
    iface = guest.interface(network)
    out = run(["ip", "-n", topo.namespace, "-o", "link", "show", iface.tap], check=False).stdout or ""
    if not out:
        return "absent"
    if "master %s " % iface.network.bridge not in out:
        return "cut"
    return "up" if "LOWER_UP" in out else "no-carrier"
