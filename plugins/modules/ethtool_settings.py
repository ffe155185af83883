#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ethtool_settings
short_description: Set NIC offload features and ring sizes with ethtool
version_added: "0.1.0"
description:
  - Sets offload features (C(ethtool -K)) and ring sizes (C(ethtool -G)) of one interface,
    only those given, and only when they differ from what C(ethtool -k) / C(ethtool -g) report.
  - Features and rings the driver does not have, features it fixes (C([fixed])) and ring sizes
    above the driver maximum fail before anything is changed, naming host, interface and value.
  - After a change the settings are read back and checked. Changing ring sizes makes most
    drivers reset the NIC, which drops the link for a moment.
  - The settings last until the driver is reloaded or the host reboots; the
    C(lvs.cluster.tuning) role re-applies them at boot.
  - community.general has no ethtool module (only C(community.general.nmcli) options, which need
    NetworkManager); this module does not depend on any network manager.
author:
  - lvs.cluster maintainers (@lvs-cluster)
options:
  interface:
    description: The network interface, for example C(eth0).
    type: str
    required: true
  features:
    description:
      - Feature name to V(true) (on) or V(false) (off). Long names as C(ethtool -k) prints them
        (C(generic-receive-offload)) or the short ones C(ethtool -K) accepts
        (C(rx tx sg tso ufo gso gro lro rxvlan txvlan ntuple rxhash)).
    type: dict
  rings:
    description:
      - Ring sizes, keys C(rx), C(rx-mini), C(rx-jumbo), C(tx).
    type: dict
attributes:
  check_mode:
    support: full
    description: Computes and reports the same changes and commands without running them.
  diff_mode:
    support: full
    description: One line per changed feature or ring.
  platform:
    support: full
    platforms: posix
    description: Linux with the ethtool command.
requirements:
  - ethtool
seealso:
  - module: lvs.cluster.net_queues
  - name: ethtool(8)
    description: The ethtool manual.
    link: https://man7.org/linux/man-pages/man8/ethtool.8.html
"""

EXAMPLES = r"""
- name: LRO off on a router/director (it breaks forwarding), GRO on, bigger rings
  lvs.cluster.ethtool_settings:
    interface: eth0
    features:
      lro: false
      gro: true
    rings:
      rx: 4096
      tx: 4096
"""

RETURN = r"""
commands:
  description: The ethtool commands run (in check mode, that would be run).
  returned: always
  type: list
  elements: str
  sample: ["ethtool -K eth0 generic-receive-offload on"]
features:
  description: The changed features, long name to V(true)/V(false), after the run.
  returned: always
  type: dict
  sample: {"generic-receive-offload": true}
rings:
  description: The changed ring sizes after the run.
  returned: always
  type: dict
  sample: {"rx": 4096}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.tuning import manage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interface=dict(type="str", required=True),
            features=dict(type="dict"),
            rings=dict(type="dict"),
        ),
        required_one_of=[("features", "rings")],
        supports_check_mode=True,
    )
    manage.run(module, manage.ensure_ethtool)


if __name__ == "__main__":
    main()
