# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A shipped inventory (inventories/<name>) loaded through Ansible's own inventory loader."""

from __future__ import annotations

import os

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def load_inventory(inventory):
    """(loader, hostvars, groups) of inventories/<inventory>, set up as a playbook sees them."""
    loader = DataLoader()
    inv = InventoryManager(loader=loader, sources=[os.path.join(REPO, "inventories", inventory)])
    manager = VariableManager(loader=loader, inventory=inv)
    hostvars = HostVars(inventory=inv, variable_manager=manager, loader=loader)
    manager._hostvars = hostvars  # pylint: disable=protected-access  # what the playbook executor sets up
    groups = {name: [h.name for h in group.get_hosts()] for name, group in inv.groups.items()}
    return loader, hostvars, groups
