# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""realserver_dr and realserver_tun share lvs.cluster.realserver_common (tasks_from).

The callers pass every option of each entry point they call (the spec cannot mark them required:
a role's defaults must pass its own spec), each from their own public variable; and what the
shared role derives for each method is what the two roles set before they shared it: the unit
files (fixtures rendered from the roles as they were) and the sysctl keys, in their order.
"""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
COMMON = os.path.join(REPO, "roles", "realserver_common")
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
CALLERS = {"dr": "realserver_dr", "tun": "realserver_tun"}


def load(*path):
    with open(os.path.join(*path), encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    return value


def imports(role):
    for task in load(REPO, "roles", role, "tasks", "main.yml"):
        if "ansible.builtin.import_role" in task:
            yield task


def templar(method, **public):
    """A templar with the common role's vars and what ``method``'s caller passes it."""
    role = CALLERS[method]
    variables = {"ansible_managed": "Ansible managed", "inventory_hostname": "rs1", "group_names": [], "ansible_facts": {"default_ipv4": {"interface": "ens3"}}}
    variables.update(trusted(load(REPO, "roles", role, "defaults", "main.yml")))
    variables.update(dict((role + "_" + k, v) for k, v in public.items()))
    for task in imports(role):
        variables.update(trusted(task["vars"]))
    variables.update(trusted(load(COMMON, "vars", "main.yml")))
    return Templar(loader=DataLoader(), variables=variables)


@pytest.mark.parametrize("method", sorted(CALLERS))
def test_callers_pass_every_option_from_their_own_variables(method):
    role = CALLERS[method]
    specs = load(COMMON, "meta", "argument_specs.yml")["argument_specs"]
    called = []
    for task in imports(role):
        assert task["ansible.builtin.import_role"]["name"] == "lvs.cluster.realserver_common"
        entry = task["ansible.builtin.import_role"]["tasks_from"]
        called.append(entry)
        passed = task["vars"]
        assert sorted(passed) == sorted(specs[entry]["options"]), "%s -> %s" % (role, entry)
        assert passed.pop("realserver_common_method") == method
        for name, value in passed.items():
            assert value == "{{ %s_%s }}" % (role, name[len("realserver_common_") :]), "%s -> %s: %s" % (role, entry, name)
    assert called == ["preflight", "sysctl", "vips", "cleanup"], role


@pytest.mark.parametrize("method", sorted(CALLERS))
def test_unit_template_renders_as_before(method):
    name = "lvs-realserver-%s@.service" % method
    t = templar(method)
    assert t.template(trust_as_template("{{ _realserver_common_unit_template }}")) == name
    with open(os.path.join(COMMON, "templates", "etc", "systemd", "system", name + ".j2"), encoding="utf-8") as handle:
        rendered = t.template(trust_as_template(handle.read()))
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        assert rendered == handle.read()


def test_sysctls_dr_in_order():
    assert templar("dr", interface="eth1", arp_ignore=2, rp_filter=0).template(trust_as_template("{{ _realserver_common_sysctls }}")) == {
        "net.ipv4.conf.all.arp_ignore": 2,
        "net.ipv4.conf.all.arp_announce": 2,
        "net.ipv4.conf.lo.arp_ignore": 2,
        "net.ipv4.conf.lo.arp_announce": 2,
        "net.ipv4.conf.eth1.arp_ignore": 2,
        "net.ipv4.conf.eth1.arp_announce": 2,
        "net.ipv4.conf.all.rp_filter": 0,
        "net.ipv4.conf.eth1.rp_filter": 0,
    }


def test_sysctls_tun_loosen_tunl0_and_use_the_slash_form_for_a_vlan():
    got = templar("tun", interface="eth0.100").template(trust_as_template("{{ _realserver_common_sysctls }}"))
    assert list(got.items()) == [
        ("net.ipv4.conf.all.arp_ignore", 1),
        ("net.ipv4.conf.all.arp_announce", 2),
        ("net.ipv4.conf.lo.arp_ignore", 1),
        ("net.ipv4.conf.lo.arp_announce", 2),
        ("net/ipv4/conf/eth0.100/arp_ignore", 1),
        ("net/ipv4/conf/eth0.100/arp_announce", 2),
        ("net.ipv4.conf.all.rp_filter", 2),
        ("net.ipv4.conf.tunl0.rp_filter", 2),
        ("net/ipv4/conf/eth0.100/rp_filter", 2),
    ]


def test_addresses_probe_never_names_tunl0():
    """Naming tunl0 loads ipip (netdev-tunl0 alias), which a check run must not do."""
    assert templar("tun").template(trust_as_template("{{ _realserver_common_addr_argv }}")) == ["/usr/sbin/ip", "-json", "-4", "address", "show"]
    assert templar("dr").template(trust_as_template("{{ _realserver_common_addr_argv }}")) == ["/usr/sbin/ip", "-json", "address", "show", "dev", "lo"]
