# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Packets for test_vrrp_filter_netns.py, run inside the test's network namespaces.

python3 vrrp_filter_probe.py listen SECONDS    # print JSON: sources of VRRP and of UDP 8848 seen
python3 vrrp_filter_probe.py send DESTINATION  # one VRRPv3 advert (priority 255) and one IPVS sync message
"""

from __future__ import annotations

import json
import select
import socket
import struct
import sys
import time

VRRP = 112
SYNC_PORT = 8848


def vrrp_advert(vrid=51, priority=255, vips=("192.0.2.100",)):
    """A VRRPv3 advertisement (RFC 5798): version 3, type 1, the highest priority, advert_int 1 s."""
    body = struct.pack("!BBBBH", 0x31, vrid, priority, len(vips), 100) + b"".join(socket.inet_aton(v) for v in vips)
    return body[:6] + b"\x00\x00" + body[8:]  # checksum left 0: the filter decides before anything checks it


def sync_message():
    """An IPVS sync message header, version 1 (ip_vs_sync.c: reserved, syncid, size, nr_conns, version, spare)."""
    return struct.pack("!BBHBBH", 0, 51, 8, 0, 1, 0)


def listen(seconds):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", SYNC_PORT))
    seen = {"vrrp": [], "sync": []}
    print("ready", flush=True, file=sys.stderr)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _unused, _unused = select.select([raw, udp], [], [], max(0.0, end - time.monotonic()))
        for sock in ready:
            data, (source, _port) = sock.recvfrom(4096)
            seen["vrrp" if sock is raw else "sync"].append(source)
    print(json.dumps(seen))


def send(destination):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP)
    raw.sendto(vrrp_advert(), (destination, 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(sync_message(), (destination, SYNC_PORT))


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(float(sys.argv[2]))
    else:
        send(sys.argv[2])
