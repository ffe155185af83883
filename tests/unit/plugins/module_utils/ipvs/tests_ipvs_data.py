# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the IPVS unit tests share: the recorded mixed table as a user declares it, and a fake host.

Imported by its collection path (tests_*.py is not collected as a test module).
"""

from __future__ import annotations

import os
import subprocess

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def read_fixture(name):
    with open(os.path.join(FIXTURES, name + ".txt"), encoding="utf-8") as handle:
        return handle.read()


# The mixed table of fixtures/capture.sh, declared the way a user writes it.
DECLARED = [
    {
        "address": "192.0.2.10",
        "port": 80,
        "scheduler": "wrr",
        "real_servers": [
            {"address": "198.51.100.11", "weight": 100},
            {"address": "198.51.100.12", "weight": 0, "upper_threshold": 500, "lower_threshold": 400},
            {"address": "198.51.100.13", "port": 8080, "method": "nat", "weight": 5},
        ],
    },
    {
        "address": "192.0.2.10",
        "port": 443,
        "scheduler": "sh",
        "scheduler_flags": ["sh-port", "flag-1"],
        "persistence_timeout": 600,
        "persistence_netmask": "24",
        "real_servers": [{"address": "198.51.100.11"}],
    },
    {
        "protocol": "udp",
        "address": "192.0.2.53",
        "port": 53,
        "scheduler": "mh",
        "scheduler_flags": ["mh-fallback", "mh-port"],
        "one_packet": True,
        "real_servers": [{"address": "198.51.100.21", "port": 5353, "method": "nat"}],
    },
    {
        "protocol": "udp",
        "address": "192.0.2.60",
        "port": 5060,
        "scheduler": "rr",
        "persistence_timeout": 300,
        "persistence_engine": "sip",
        "real_servers": [{"address": "198.51.100.31", "method": "nat"}],
    },
    {
        "protocol": "sctp",
        "address": "192.0.2.70",
        "port": 3868,
        "scheduler": "fo",
        "real_servers": [{"address": "198.51.100.41", "weight": 10}, {"address": "198.51.100.42", "weight": 20}],
    },
    {
        "address": "192.0.2.80",
        "port": 0,
        "scheduler": "lblcr",
        "persistence_timeout": 1200,
        "persistence_netmask": "255.255.0.0",
        "real_servers": [{"address": "198.51.100.51", "port": 0, "method": "nat"}],
    },
    {
        "address": "[2001:db8:0::10]",
        "port": 443,
        "scheduler": "ovf",
        "persistence_timeout": 300,
        "persistence_netmask": "/64",
        "real_servers": [
            {"address": "2001:db8:1:0::11", "weight": 7},
            {"address": "2001:db8:1::12", "port": 8443, "method": "nat", "weight": 3, "upper_threshold": 1000, "lower_threshold": 10},
            {"address": "203.0.113.5", "method": "tunnel"},
        ],
    },
    {
        "protocol": "fwmark",
        "fwmark": 10,
        "scheduler": "rr",
        "persistence_timeout": 300,
        "real_servers": [
            {"address": "203.0.113.21", "method": "tunnel", "tun_type": "gue", "tun_port": 6080, "tun_csum": "remcsum"},
            {"address": "203.0.113.22", "method": "tunnel", "tun_type": "gue", "tun_port": 6081, "tun_csum": "csum"},
            {"address": "203.0.113.23", "method": "tunnel", "tun_type": "gre", "tun_csum": "csum"},
            {"address": "203.0.113.24", "method": "tunnel", "tun_type": "gre"},
            {"address": "203.0.113.25", "method": "tunnel"},
        ],
    },
    {
        "protocol": "fwmark",
        "fwmark": 20,
        "family": "ipv6",
        "scheduler": "wlc",
        "scheduler_flags": ["flag-3", "flag-1"],
        "real_servers": [{"address": "2001:db8:1::21", "weight": 2}],
    },
] + [{"address": "192.0.2.%d" % (90 + i), "port": 22, "scheduler": s} for i, s in enumerate(["dh", "lblc", "lc", "sed", "nq"])]

# DECLARED without its two thresholds: exactly the lines of fixtures/mixed_save.txt (-S prints no thresholds).
PLAIN = [dict(item, real_servers=[{k: v for k, v in rs.items() if "threshold" not in k} for rs in item.get("real_servers", [])]) for item in DECLARED]


class FakeHost:
    """An AnsibleModule on a host whose ipvsadm answers from a script: no root, no IPVS needed.

    ``answers`` maps an ipvsadm argv (a tuple, without the binary) to what it prints, each
    answer an ``(rc, out, err)`` or just the standard output; a list gives the answers of
    successive runs, the last one repeating. Reads go through ``spawn`` (subprocess.run's
    shape) and commands that change the kernel through ``run_command``, as on a real host;
    ``calls`` records both, ``ran`` only the latter.
    """

    BINARY = "/usr/sbin/ipvsadm"

    def __init__(self, answers=None, params=None, check_mode=False, diff=False):
        self.answers = {key: list(value) if isinstance(value, list) else [value] for key, value in (answers or {}).items()}
        self.params = params or {}
        self.check_mode = check_mode
        self._diff = diff
        self.calls = []
        self.ran = []
        self.exited = None

    def answer(self, argv):
        key = tuple(argv[1:])
        queue = self.answers.get(key)
        if queue is None:
            return 0, "", ""
        value = queue.pop(0) if len(queue) > 1 else queue[0]
        return value if isinstance(value, tuple) else (0, value, "")

    # AnsibleModule
    def get_bin_path(self, name, opt_dirs=None):
        assert name == "ipvsadm" and "/usr/sbin" in opt_dirs
        return self.BINARY

    def run_command(self, argv, data=None, **kwargs):
        self.calls.append(argv)
        self.ran.append((argv[1:], data))
        return self.answer(argv)

    def exit_json(self, **result):
        self.exited = ("exit_json", result)
        raise SystemExit(0)

    def fail_json(self, **result):
        self.exited = ("fail_json", result)
        raise SystemExit(1)

    # subprocess.run, for the reads
    def spawn(self, argv, **kwargs):
        self.calls.append(argv)
        rc, out, err = self.answer(argv)
        return subprocess.CompletedProcess(argv, rc, out.encode(), err.encode())
