# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The director's packet filter (director_vrrp_filter) on this host's kernel, in network namespaces the test makes.

The lab's UML kernel has no nf_tables ip/ip6/inet families, so the rules are proven here instead:
the role's own template is rendered for dir1 of inventories/lab and checked with ``nft -c``, then
loaded into a namespace "dir1" (192.0.2.11) on a bridge with "dir2" (192.0.2.12, its peer) and
"intruder" (192.0.2.99, on the same segment but no director). Both send dir1 a VRRPv3 advert with
priority 255 and an IPVS sync message. Without the table both arrive (the control); with it only
dir2's do, the intruder's are counted by the table's drop rules, and a TCP connection from the
intruder is still accepted (policy accept: the filter never locks anyone out).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from ansible_collections.lvs.cluster.tests.unit.plugins.tests_inventory import load_inventory
from ansible_collections.lvs.cluster.tests.unit.plugins.tests_render import render

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "vrrp_filter_probe.py")
TEMPLATE = os.path.join("etc", "lvs-cluster", "nftables.nft.j2")
HOSTS = {"dir1": "192.0.2.11", "dir2": "192.0.2.12", "intruder": "192.0.2.99"}

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nft"), reason="needs root, iproute2 and nft (Debian's nftables package)"
)


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


@pytest.fixture()
def segment():
    """Namespaces dir1, dir2 and intruder (prefixed with this process's id) on one bridge; removed afterwards."""
    tag = "lvsf%d" % os.getpid()
    names = {host: "%s-%s" % (tag, host) for host in HOSTS}
    bridge = "%s-sw" % tag
    try:
        sh("ip", "netns", "add", bridge)
        sh("ip", "-n", bridge, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", bridge, "link", "set", "br0", "up")
        for index, (host, ns) in enumerate(names.items()):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p%d" % index, "netns", bridge)
            sh("ip", "-n", ns, "addr", "add", HOSTS[host] + "/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", bridge, "link", "set", "p%d" % index, "master", "br0", "up")
        yield names
    finally:
        for ns in list(names.values()) + [bridge]:
            sh("ip", "netns", "del", ns, check=False)


def exchange(names):
    """dir2 and the intruder each send dir1 an advert and a sync message; the sources dir1's sockets saw."""
    listener = subprocess.Popen(
        ["ip", "netns", "exec", names["dir1"], sys.executable, PROBE, "listen", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert listener.stderr.readline().strip() == "ready"
    for sender in ("dir2", "intruder"):
        sh("ip", "netns", "exec", names[sender], sys.executable, PROBE, "send", HOSTS["dir1"])
    out, err = listener.communicate(timeout=10)
    assert listener.returncode == 0, err
    return json.loads(out)


def tcp_from_intruder(names):
    server = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            names["dir1"],
            sys.executable,
            "-c",
            "import socket; s = socket.create_server(('0.0.0.0', 2222)); print('ready', flush=True); c, a = s.accept(); c.sendall(b'ok'); c.close()",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout.readline().strip() == "ready"
    client = sh(
        "ip",
        "netns",
        "exec",
        names["intruder"],
        sys.executable,
        "-c",
        "import socket; print(socket.create_connection(('%s', 2222), timeout=3).recv(2).decode())" % HOSTS["dir1"],
        check=False,
    )
    server.wait(timeout=10)
    return client.stdout.strip()


def test_only_the_pair_reaches_vrrp_and_ipvs_sync(segment, tmp_path):
    _loader, hostvars, groups = load_inventory("lab")
    rules = render(None, hostvars, groups, "dir1", template=TEMPLATE)
    assert "elements = { 192.0.2.11, 192.0.2.12 }" in rules
    path = tmp_path / "lvs-cluster.nft"
    path.write_text(rules)
    check = sh("ip", "netns", "exec", segment["dir1"], "nft", "-c", "-f", str(path), check=False)
    assert check.returncode == 0, check.stderr

    # The control: without the table, both senders reach both sockets.
    before = exchange(segment)
    assert sorted(before["vrrp"]) == sorted(before["sync"]) == [HOSTS["dir2"], HOSTS["intruder"]]

    started = time.monotonic()
    sh("ip", "netns", "exec", segment["dir1"], "nft", "-f", str(path))
    sh("ip", "netns", "exec", segment["dir1"], "nft", "-f", str(path))  # a reload replaces the table in one transaction
    after = exchange(segment)
    assert after == {"vrrp": [HOSTS["dir2"]], "sync": [HOSTS["dir2"]]}
    listed = sh("ip", "netns", "exec", segment["dir1"], "nft", "list", "table", "inet", "lvs_cluster").stdout
    drops = [int(n) for n in re.findall(r"counter packets (\d+) bytes \d+ drop", listed)]
    assert drops == [1, 0, 1, 0], listed  # VRRP v4, v6, sync v4, v6: the intruder's one advert and one message
    assert tcp_from_intruder(segment) == "ok"  # policy accept: nothing else is filtered
    print("filter test: intruder's advert and sync message dropped and counted, peer's delivered, TCP accepted (%.1f s)" % (time.monotonic() - started))
