# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reproduce the IPVS sync-daemon stop that netlink never acknowledges.

Run as root on a director with IPVS (a lab guest):
    python3 sync_stop_race.py --interface vec1 [--role master] [--rounds 50]

Each round sends, on ONE generic-netlink socket and back to back (as keepalived's VRRP
process does on a transition: stop the other daemon, start this one), IPVS_CMD_NEW_DAEMON
and then IPVS_CMD_DEL_DAEMON for the same role, each with NLM_F_ACK, and waits up to
--timeout seconds for each answer. When the new kernel thread has not run yet at the time
of the stop, Linux's stop_sync_thread() returns kthread_stop()'s -EINTR, and netlink_rcv_skb()
sends no acknowledgement for -EINTR: a caller that waits without a timeout (keepalived,
ipvsadm) blocks for good in netlink_recvmsg. Prints one JSON object: rounds, acks missing,
errors by errno, and the rounds whose stop went unanswered.

Uses a sync ID (default 250) and a role of its own choosing; it stops only a daemon that it
started itself (it refuses to run when a daemon of --role is already running).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import select
import socket
import struct

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 0x2
IPVS_CMD_NEW_DAEMON = 9
IPVS_CMD_DEL_DAEMON = 10
IPVS_CMD_GET_DAEMON = 11
IPVS_CMD_ATTR_DAEMON = 3
IPVS_DAEMON_ATTR_STATE = 1
IPVS_DAEMON_ATTR_MCAST_IFN = 2
IPVS_DAEMON_ATTR_SYNC_ID = 3
NLM_F_DUMP = 0x300
STATES = {"master": 1, "backup": 2}


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        if length < 4:
            break
        out[kind & 0x3FFF] = data[4:length]
        data = data[(length + 3) & ~3 :]
    return out


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.bind((0, 0))
        self.seq = 0

    def send(self, family, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK, version=1):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0) + body)
        return self.seq

    def replies(self, seq, timeout):
        """Yield (type, payload) of the messages answering seq until its ACK/error; None on timeout."""
        while True:
            ready = select.select([self.sock], [], [], timeout)[0]
            if not ready:
                yield None
                return
            data = self.sock.recv(65536)
            while len(data) >= 16:
                length, kind, _flags, mseq, _pid = struct.unpack_from("=IHHII", data)
                payload = data[16:length]
                data = data[(length + 3) & ~3 :]
                if mseq != seq:
                    continue
                yield kind, payload
                if kind in (NLMSG_ERROR, 3):  # error/ack, or NLMSG_DONE
                    return

    def call(self, family, cmd, payload, timeout, flags=NLM_F_REQUEST | NLM_F_ACK, version=1):
        """Return (errno or 0 or None when unanswered, [data payloads])."""
        seq = self.send(family, cmd, payload, flags, version)
        data = []
        for reply in self.replies(seq, timeout):
            if reply is None:
                return None, data
            kind, payload = reply
            if kind == NLMSG_ERROR:
                return -struct.unpack_from("=i", payload)[0], data
            if kind == 3:
                return 0, data
            data.append(payload)
        return None, data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interface", required=True)
    parser.add_argument("--role", choices=sorted(STATES), default="master")
    parser.add_argument("--syncid", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()

    genl = Genl()
    rc, data = genl.call(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b"IPVS\0"), args.timeout)
    if rc:
        raise SystemExit("IPVS generic netlink family not found (errno %s): is ip_vs loaded?" % rc)
    family = struct.unpack("=H", parse_attrs(data[0][4:])[CTRL_ATTR_FAMILY_ID][:2])[0]
    state = STATES[args.role]

    rc, data = genl.call(family, IPVS_CMD_GET_DAEMON, b"", args.timeout, flags=NLM_F_REQUEST | NLM_F_DUMP)
    for payload in data:
        daemon = parse_attrs(parse_attrs(payload[4:]).get(IPVS_CMD_ATTR_DAEMON, b""))
        if struct.unpack("=I", daemon[IPVS_DAEMON_ATTR_STATE][:4])[0] == state:
            raise SystemExit("a %s sync daemon already runs here; refusing to touch it" % args.role)

    new = attr(
        IPVS_CMD_ATTR_DAEMON | 0x8000,
        attr(IPVS_DAEMON_ATTR_STATE, struct.pack("=I", state))
        + attr(IPVS_DAEMON_ATTR_MCAST_IFN, args.interface.encode() + b"\0")
        + attr(IPVS_DAEMON_ATTR_SYNC_ID, struct.pack("=I", args.syncid)),
    )
    delete = attr(IPVS_CMD_ATTR_DAEMON | 0x8000, attr(IPVS_DAEMON_ATTR_STATE, struct.pack("=I", state)))
    result = {"rounds": 0, "start_errors": {}, "stop_errors": {}, "stop_unanswered": 0, "unanswered_rounds": [], "pid": os.getpid()}
    for round_no in range(1, args.rounds + 1):
        result["rounds"] = round_no
        rc = genl.call(family, IPVS_CMD_NEW_DAEMON, new, args.timeout)[0]
        if rc:
            name = errno.errorcode.get(rc, str(rc)) if rc is not None else "unanswered"
            result["start_errors"][name] = result["start_errors"].get(name, 0) + 1
            continue
        rc = genl.call(family, IPVS_CMD_DEL_DAEMON, delete, args.timeout)[0]
        if rc is None:
            result["stop_unanswered"] += 1
            result["unanswered_rounds"].append(round_no)
        elif rc:
            name = errno.errorcode.get(rc, str(rc))
            result["stop_errors"][name] = result["stop_errors"].get(name, 0) + 1
    rc, data = genl.call(family, IPVS_CMD_GET_DAEMON, b"", args.timeout, flags=NLM_F_REQUEST | NLM_F_DUMP)
    for payload in data:
        daemon = parse_attrs(parse_attrs(payload[4:]).get(IPVS_CMD_ATTR_DAEMON, b""))
        if struct.unpack("=I", daemon[IPVS_DAEMON_ATTR_STATE][:4])[0] == state:
            result["left_running_then_stopped"] = genl.call(family, IPVS_CMD_DEL_DAEMON, delete, args.timeout)[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
