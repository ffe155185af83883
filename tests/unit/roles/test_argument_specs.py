# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's defaults/main.yml and meta/argument_specs.yml say the same thing.

Ansible does not apply the defaults of an argument spec (the role's variables come from
defaults/), so nothing but this test keeps what ansible-doc shows in step with what the role
does. As prometheus-community's collection checks in CI: every default is a documented option
with the same default, and every option documented with a default is in defaults/.
"""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ROLES_DIR = os.path.join(REPO, "roles")
ROLES = sorted(name for name in os.listdir(ROLES_DIR) if os.path.isfile(os.path.join(ROLES_DIR, name, "meta", "argument_specs.yml")))

# Defaults that are templates over the inventory model: the spec documents them in words
# ("Default, derived from the inventory, ...") rather than as a default, which ansible-doc
# would show as a string for a list option.
DERIVED = {
    "realserver_dr_vips": "the VIPs of the dr services this host backs (lvs.cluster.realserver_vips)",
    "realserver_tun_vips": "the VIPs of the tun services this host backs (lvs.cluster.realserver_vips)",
    "realserver_nat_gateways": "the nat_gateway of the VRRP instances this host backs (lvs.cluster.realserver_nat_gateways)",
    "monitoring_sync_daemons_expected": "the director's director_lvs_sync_daemon, true when unset",
}


def load(role, *path):
    with open(os.path.join(ROLES_DIR, role, *path), encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def entry_points(role):
    """(entry point, its options, the defaults it runs with) for every entry point of ``role``."""
    specs = load(role, "meta", "argument_specs.yml")["argument_specs"]
    for name, spec in sorted(specs.items()):
        defaults_file = "%s.yml" % name
        if not os.path.exists(os.path.join(ROLES_DIR, role, "defaults", defaults_file)):
            defaults_file = "main.yml"
        yield name, spec.get("options", {}), load(role, "defaults", defaults_file)


def description(option):
    text = option.get("description", "")
    return " ".join(text) if isinstance(text, list) else text


def test_every_role_has_a_spec():
    assert ROLES == sorted(name for name in os.listdir(ROLES_DIR) if os.path.isdir(os.path.join(ROLES_DIR, name)))


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_an_option_with_the_same_default(role):
    for entry, options, defaults in entry_points(role):
        undocumented = sorted(set(defaults) - set(options))
        assert undocumented == [], "%s (%s): defaults without an option in meta/argument_specs.yml" % (role, entry)
        differ = {}
        for name, value in defaults.items():
            if name in DERIVED:
                continue
            # No default in the spec and null in defaults/ say the same: unset.
            if options[name].get("default") != value:
                differ[name] = {"defaults/": value, "argument_specs": options[name].get("default")}
        assert differ == {}, "%s (%s)" % (role, entry)


@pytest.mark.parametrize("role", ROLES)
def test_every_option_with_a_default_is_in_defaults(role):
    for entry, options, defaults in entry_points(role):
        missing = sorted(name for name, option in options.items() if "default" in option and name not in defaults)
        assert missing == [], "%s (%s): options with a default that defaults/ does not set" % (role, entry)


@pytest.mark.parametrize("role", ROLES)
def test_defaults_pass_their_own_spec(role):
    """Types and choices: the role's defaults (the literal ones) are valid values of their options."""
    for entry, options, defaults in entry_points(role):
        literal = dict((name, value) for name, value in defaults.items() if not (isinstance(value, str) and "{{" in value))
        checked = ArgumentSpecValidator(options).validate(literal)
        assert checked.error_messages == [], "%s (%s)" % (role, entry)


@pytest.mark.parametrize("role", ROLES)
def test_public_variables_carry_the_role_prefix(role):
    for entry, options, defaults in entry_points(role):
        assert sorted(n for n in set(options) | set(defaults) if not n.startswith(role + "_")) == [], "%s (%s)" % (role, entry)


def test_derived_defaults_are_templates_documented_in_words():
    for name in DERIVED:
        role = next(r for r in ROLES if name.startswith(r + "_"))
        defaults = load(role, "defaults", "main.yml")
        option = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"][name]
        assert isinstance(defaults[name], str) and defaults[name].strip().startswith("{{"), name
        assert "default" not in option and "derived from the inventory" in description(option), name
