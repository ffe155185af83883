# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A derivation and a preflight read each host's variables once (Ansible's HostVars rebuilds them on every read)."""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import HostvarsOnce, _get, director_keepalived, once
from ansible_collections.lvs.cluster.plugins.module_utils.cluster.validate import validate_cluster
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.cluster.test_validate import SERVICES, make


class Counting(dict):
    """A hostvars mapping that counts ``hostvars[host]``, which costs one get_vars in Ansible."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = {}

    def __getitem__(self, host):
        self.reads[host] = self.reads.get(host, 0) + 1
        return super().__getitem__(host)


def many_services(count):
    return [dict(SERVICES[0], name="svc%d" % n, port=10000 + n) for n in range(count)]


def test_director_keepalived_reads_each_host_once_whatever_the_number_of_services():
    instances, services, hostvars, groups = make(services=many_services(50))
    counting = Counting(hostvars)
    derived = director_keepalived(instances, services, counting, groups, "dir1")
    assert len(derived["virtual_servers"]) == 50
    assert counting.reads and max(counting.reads.values()) == 1
    # The same result as from the plain mapping.
    assert derived == director_keepalived(instances, services, hostvars, groups, "dir1")


def test_validate_reads_each_host_once():
    instances, services, hostvars, groups = make(services=many_services(20))
    counting = Counting(hostvars)
    problems, _unused = validate_cluster(instances, services, counting, groups)
    assert problems == []
    assert max(counting.reads.values()) == 1


def test_unknown_hosts_variables_and_none_read_as_the_default():
    hostvars = once({"rs1": {"lvs_backend_weight": None, "ansible_host": "192.0.2.11"}, "odd": "not a mapping"})
    assert isinstance(hostvars, HostvarsOnce) and once(hostvars) is hostvars
    assert _get(hostvars, "rs1", "ansible_host") == "192.0.2.11"
    assert _get(hostvars, "rs1", "lvs_backend_weight", 5) == 5
    assert _get(hostvars, "rs1", "missing", "d") == "d"
    assert _get(hostvars, "nohost", "ansible_host", "d") == "d"
    assert _get(hostvars, "odd", "ansible_host", "d") == "d"
