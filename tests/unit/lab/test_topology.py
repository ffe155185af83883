# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Topology parsing, validation and the names/addresses/MACs derived from it."""

from __future__ import annotations

import copy

import pytest

from lvslab import topology
from lvslab.errors import TopologyError
from tests_lab_data import TOPO


def data(**changes):
    out = copy.deepcopy(TOPO)
    out.update(changes)
    return out


def problems(d):
    with pytest.raises(TopologyError) as err:
        topology.parse(d, "t.yml")
    return "\n".join(err.value.problems)


def test_valid_topology_derivations():
    topo = topology.parse(data(), "t.yml")
    assert topo.namespace == "lvslab-t1"
    assert [n.name for n in topo.all_networks] == ["mgmt", "front", "back"]
    assert [n.bridge for n in topo.all_networks] == ["lbr0", "lbr1", "lbr2"]
    dir1, rs1 = topo.guests
    assert [i.name for i in dir1.interfaces] == ["vec0", "vec1", "vec2"]
    # an interface keeps its segment's name on every guest, even when earlier segments are absent
    assert [i.name for i in rs1.interfaces] == ["vec0", "vec2"]
    assert str(dir1.mgmt.address) == "203.0.113.10/24"
    assert str(rs1.mgmt.address) == "203.0.113.11/24"
    assert str(rs1.interface("back").address) == "198.51.100.21/24"
    assert rs1.memory == 384 and dir1.memory == topology.DEFAULT_MEMORY
    assert topo.management.client is not None and str(topo.management.client) == "203.0.113.1"
    assert topo.groups() == {"directors": ["dir1"], "pool_blue": ["rs1"]}


def test_tap_names_fit_and_are_unique():
    guests = [{"name": "g%d" % i, "addresses": {"front": "192.0.2.%d" % (20 + i)}} for i in range(64)]
    topo = topology.parse(data(guests=guests), "t.yml")
    taps = [i.tap for g in topo.guests for i in g.interfaces]
    assert len(taps) == len(set(taps))
    assert max(len(t) for t in taps) <= 15


def test_macs_unique_unicast_local_and_per_topology():
    topo = topology.parse(data(), "t.yml")
    macs = [i.mac for g in topo.guests for i in g.interfaces]
    assert len(macs) == len(set(macs))
    for mac in macs:
        first = int(mac.split(":")[0], 16)
        assert first & 0x02 and not first & 0x01
    other = topology.parse(data(name="t2"), "t.yml")
    assert topo.guests[0].mgmt.mac != other.guests[0].mgmt.mac


def test_digest_changes_with_shape_only():
    a = topology.parse(data(), "a.yml")
    b = topology.parse(data(), "b.yml")
    assert a.digest == b.digest
    changed = data()
    changed["guests"][0]["memory"] = 512
    assert topology.parse(changed, "a.yml").digest != a.digest


def test_duplicate_address_is_named():
    d = data()
    d["guests"][1]["addresses"]["back"] = "198.51.100.11"
    msg = problems(d)
    assert "guests[rs1]: duplicate address 198.51.100.11 on back (already used by guest dir1)" in msg


def test_address_of_the_client_is_a_duplicate():
    d = data()
    d["guests"][0]["addresses"]["front"] = "192.0.2.254"
    assert "duplicate address 192.0.2.254 on front (already used by the lab client on front)" in problems(d)


def test_unknown_network_lists_declared_ones():
    d = data()
    d["guests"][0]["addresses"]["inside"] = "192.0.2.30"
    assert "guests[dir1].addresses: unknown network 'inside'; declared networks: front, back" in problems(d)


def test_address_outside_its_subnet():
    d = data()
    d["guests"][0]["addresses"]["front"] = "198.51.100.50"
    assert "guests[dir1].addresses.front: 198.51.100.50/24 is not in the segment's subnet 192.0.2.0/24" in problems(d)


def test_only_documentation_ranges():
    d = data()
    d["networks"][0]["subnet"] = "10.0.0.0/24"
    msg = problems(d)
    assert "networks[front].subnet: 10.0.0.0/24 is outside the lab's address ranges" in msg
    d = data(management={"subnet": "172.16.0.0/24"})
    assert "management.subnet: 172.16.0.0/24 is outside" in problems(d)


def test_overlapping_segments():
    d = data()
    d["networks"][1]["subnet"] = "192.0.2.128/25"
    assert "networks front (192.0.2.0/24) and back (192.0.2.128/25) overlap" in problems(d)


def test_many_problems_reported_together_and_bad_names():
    d = data(name="Bad_Name", memory=32)
    d["guests"].append({"name": "dir1"})
    d["guests"].append({"name": "x", "groups": ["all"], "colour": "red"})
    d["networks"].append({"name": "mgmt", "subnet": "203.0.113.0/25"})
    msg = problems(d)
    assert "name: 'Bad_Name' must match" in msg
    assert "memory: 32 must be an integer number of MiB between 128 and 4096" in msg
    assert "guests[dir1]: duplicate guest name" in msg
    assert "guests[x].groups: 'all' and 'ungrouped' are Ansible's own groups" in msg
    assert "guests[x]: unknown key 'colour'" in msg
    assert "networks[mgmt]: duplicate network name ('mgmt' is the implicit management segment)" in msg


def test_group_and_host_names_must_differ():
    d = data()
    d["guests"][0]["groups"] = ["rs1"]
    assert "groups and guests share names rs1" in problems(d)


def test_network_and_broadcast_addresses_rejected():
    d = data()
    d["guests"][0]["addresses"]["front"] = "192.0.2.255"
    assert "is the network or broadcast address of 192.0.2.0/24" in problems(d)


def test_explicit_management_address_and_exhausted_default():
    d = data(management={"subnet": "203.0.113.0/28"})
    d["guests"][0]["management"] = "203.0.113.2"
    d["guests"][1]["management"] = "203.0.113.3"
    topo = topology.parse(d, "t.yml")
    assert str(topo.guests[0].mgmt.address) == "203.0.113.2/28"
    d["guests"].append({"name": "g3"})
    d["guests"].append({"name": "g4"})
    d["guests"].append({"name": "g5"})
    d["guests"].append({"name": "g6"})
    d["guests"].append({"name": "g7"})
    d["guests"].append({"name": "g8"})
    assert "has no room for a default address" in problems(d)


def test_not_a_mapping_and_empty_guests():
    assert "must be a mapping" in problems(["x"])
    assert "guests: must be a non-empty list" in problems(data(guests=[]))


def test_load_reports_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(TopologyError, match="file not found"):
        topology.load(str(tmp_path / "missing.yml"))
    bad = tmp_path / "bad.yml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(TopologyError, match="not valid YAML"):
        topology.load(str(bad))


def test_repository_topologies_are_valid():
    import glob
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    paths = glob.glob(os.path.join(here, "..", "..", "..", "lab", "topologies", "*.yml"))
    assert paths
    names = set()
    for path in paths:
        topo = topology.load(path)
        assert topo.name not in names, "two topologies share the name %s" % topo.name
        names.add(topo.name)
