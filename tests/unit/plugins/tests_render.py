# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The director role's templates rendered as the template module renders them, with the role's own derive.

Used by tests/unit/plugins/filter/test_director_template.py and by the differential test
(tests/integration/host/test_keepalived_differential.py): one renderer for every test.
"""

from __future__ import annotations

import os

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.derive import director_keepalived

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ROLE = os.path.join(REPO, "roles", "director")
KEEPALIVED_CONF = os.path.join("etc", "keepalived", "keepalived.conf.j2")
AUTH_INCLUDE = os.path.join("etc", "keepalived", "lvs-auth.conf.j2")
CONFIGTEST = os.path.join("usr", "local", "sbin", "lvs-keepalived-configtest.j2")


def trusted(value):
    """Role files are trusted templates, as when Ansible loads them."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return value


def render(loader, hostvars, groups, host, template=KEEPALIVED_CONF, extra=None, pool_states=None):
    """``template`` (a path under roles/director/templates) for director ``host``.

    The role's defaults and vars, the host's own ``director_*`` variables, the derived
    ``_director_keepalived`` (with ``pool_states``, else the host's ``lvs_pool_states``) and
    ``extra`` (e.g. ``item``, ``director_keepalived_conf``).
    ``hostvars`` is Ansible's HostVars or a plain mapping; ``loader`` may be None.
    """
    mine = hostvars[host]
    derived = director_keepalived(
        mine["lvs_vrrp_instances"], mine["lvs_services"], hostvars, groups, host, mine.get("lvs_pool_states") if pool_states is None else pool_states
    )
    with open(os.path.join(ROLE, "defaults", "main.yml"), encoding="utf-8") as fh:
        variables = yaml.safe_load(fh)
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as fh:
        variables.update(yaml.safe_load(fh))
    variables = trusted(variables)
    for key in variables:
        if key.startswith("director_") and key in mine:
            variables[key] = mine[key]
    variables.update({"_director_keepalived": derived, "inventory_hostname": host, "director_router_id": host, "ansible_managed": "Ansible managed"})
    variables.update(extra or {})
    templar = Templar(loader=loader or DataLoader(), variables=variables)
    with open(os.path.join(ROLE, "templates", template), encoding="utf-8") as fh:
        source = fh.read()
    return templar.template(trust_as_template(source), escape_backslashes=False, overrides={"trim_blocks": True, "lstrip_blocks": True})
