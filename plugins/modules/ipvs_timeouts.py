#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_timeouts
short_description: Set the IPVS connection timeouts (tcp, tcpfin, udp)
version_added: 0.1.0
description:
  - Sets the timeouts IPVS applies to its connection entries, like C(ipvsadm --set tcp tcpfin udp).
    Only the values given are compared and changed; the others are kept.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
notes:
  - The module reads the timeouts with C(ipvsadm -L --timeout) and runs C(ipvsadm --set) only when a given value differs.
    Afterwards it reads them again and fails, naming each timeout, if the kernel does not hold what was asked.
attributes:
  check_mode:
    support: full
    description: Computes and reports the C(ipvsadm --set) command it would run, without running it.
  diff_mode:
    support: full
    description: Shows each timeout that changes, before and after, one line each.
options:
  tcp:
    description: Timeout of established TCP connections, in seconds (1-2147483).
    type: int
  tcpfin:
    description: Timeout of TCP connections after a FIN, in seconds (1-2147483).
    type: int
  udp:
    description: Timeout of UDP entries, in seconds (1-2147483).
    type: int
"""

EXAMPLES = r"""
- name: Shorter TCP timeout, the others unchanged
  lvs.cluster.ipvs_timeouts:
    tcp: 600

- name: All three timeouts
  lvs.cluster.ipvs_timeouts:
    tcp: 900
    tcpfin: 120
    udp: 300
"""

RETURN = r"""
changed:
  description: Whether a timeout was (or, in check mode, would be) changed.
  returned: always
  type: bool
commands:
  description: The ipvsadm command run (in check mode - that would be run); V(0) keeps a value unchanged.
  returned: always
  type: list
  elements: str
  sample: ["ipvsadm --set 600 0 0"]
timeouts:
  description: The timeouts after the run (in check mode - as they would be).
  returned: always
  type: dict
  sample: {"tcp": 600, "tcpfin": 120, "udp": 300}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            tcp=dict(type="int"),
            tcpfin=dict(type="int"),
            udp=dict(type="int"),
        ),
        required_one_of=[("tcp", "tcpfin", "udp")],
        supports_check_mode=True,
    )
    manage.run(module, manage.ensure_timeouts)


if __name__ == "__main__":
    main()
