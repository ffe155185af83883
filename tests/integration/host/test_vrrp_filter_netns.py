# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The director's packet rules on this host's kernel, in network namespaces the test makes.

The filter (director_vrrp_filter):
The lab's UML kernel has no nf_tables ip/ip6/inet families, so the rules are proven here instead:
the role's own template is rendered for dir1 of inventories/lab and checked with ``nft -c``, then
loaded into a namespace "dir1" (192.0.2.11) on a bridge with "dir2" (192.0.2.12, its peer) and
"intruder" (192.0.2.99, on the same segment but no director). Both send dir1 a VRRPv3 advert with
priority 255 and an IPVS sync message. Without the table both arrive (the control); with it only
dir2's do, the intruder's are counted by the table's drop rules, and a TCP connection from the
intruder is still accepted (policy accept: the filter never locks anyone out).

The marks (a fwmark service with ``ports``): with a fwmark service over ports 80 and 8080 added
to the lab's declaration, the rendered table alone (filter off) marks the intruder's SYNs to
those ports of the VIP with the service's mark, and leaves a SYN to port 9090 unmarked, as a
probe table in dir1's input hook counts.
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
    # The lab's inventory turns the filter off (its UML kernel has no nf_tables ip family): on here.
    rules = render(None, hostvars, groups, "dir1", template=TEMPLATE, extra={"director_vrrp_filter": True})
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


FWMARK_SERVICE = {
    "name": "web_fw",
    "vrrp_instance": "VI_DEMO",
    "vip": "192.0.2.110",
    "fwmark": 7,
    "ports": [8080, 80],
    "persistence_timeout": 60,
    "scheduler": "rr",
    "method": "dr",
    "health_check": {"type": "TCP_CHECK", "connect_port": 80},
    "backends": [{"group": "pool_blue", "port": 0}],
}
PROBE_TABLE = """table inet probe {
    chain input {
        type filter hook input priority filter; policy accept;
        tcp dport { 80, 8080, 9090 } meta mark 7 counter
        tcp dport { 80, 8080, 9090 } meta mark 0 counter
    }
}
"""


def syn_from_intruder(names, port):
    """One connection attempt from the intruder to the VIP (nothing listens: dir1 answers RST)."""
    code = "import socket\ntry:\n    socket.create_connection(('%s', %d), timeout=2)\nexcept OSError as exc:\n    print(type(exc).__name__)" % (
        FWMARK_SERVICE["vip"],
        port,
    )
    return sh("ip", "netns", "exec", names["intruder"], sys.executable, "-c", code, check=False).stdout.strip()


def test_fwmark_service_ports_are_marked(segment, tmp_path):
    _loader, hostvars, groups = load_inventory("lab")
    hostvars = {host: dict(hostvars[host]) for host in hostvars}
    for hv in hostvars.values():
        hv["lvs_services"] = list(hv["lvs_services"]) + [FWMARK_SERVICE]
    rules = render(None, hostvars, groups, "dir1", template=TEMPLATE, extra={"director_vrrp_filter": False})
    assert "chain input" not in rules  # the filter is off: the table holds the marks alone
    assert 'ip daddr 192.0.2.110 tcp dport { 80, 8080 } counter meta mark set 7 comment "service web_fw"' in rules, rules
    path = tmp_path / "lvs-cluster.nft"
    path.write_text(rules)
    probe = tmp_path / "probe.nft"
    probe.write_text(PROBE_TABLE)
    ns = segment["dir1"]
    sh("ip", "-n", ns, "addr", "add", FWMARK_SERVICE["vip"] + "/32", "dev", "eth0")  # the MASTER holds the VIP
    check = sh("ip", "netns", "exec", ns, "nft", "-c", "-f", str(path), check=False)
    assert check.returncode == 0, check.stderr
    sh("ip", "netns", "exec", ns, "nft", "-f", str(path))
    sh("ip", "netns", "exec", ns, "nft", "-f", str(probe))
    assert [syn_from_intruder(segment, port) for port in (80, 8080, 9090)] == ["ConnectionRefusedError"] * 3
    marked = sh("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "lvs_cluster").stdout
    counted = sh("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "probe").stdout
    assert [int(n) for n in re.findall(r"counter packets (\d+) bytes \d+ meta mark set", marked)] == [2], marked
    # Input sees each SYN once: the two to the service's ports with mark 7, the one to 9090 without.
    counts = {int(mark, 16): int(packets) for mark, packets in re.findall(r"meta mark (0x[0-9a-f]+|\d+) counter packets (\d+)", counted)}
    assert counts == {7: 2, 0: 1}, counted
