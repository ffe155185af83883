#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: net_queues
short_description: Set RPS, RFS and XPS on the queues of a network interface
version_added: "0.1.0"
description:
  - Sets C(rps_cpus) and C(rps_flow_cnt) on every receive queue and C(xps_cpus) on every
    transmit queue of one interface, under C(/sys/class/net/<interface>/queues/).
  - Reads the current values first and writes only the files that differ; CPU masks are
    compared as CPU sets, so C(3) and C(00000003) are equal. After writing, every file is
    read back and checked.
  - Every input is checked before the first write. A CPU list naming CPUs that do not
    exist, a selection that leaves no online CPU, or an interface that does not exist fails
    with a message that names the host, the interface and the value.
  - The values last only until reboot. The C(lvs.cluster.tuning) role makes them persistent
    with a boot-time unit.
  - The global RFS table size C(net.core.rps_sock_flow_entries) is a sysctl; set it with
    M(ansible.posix.sysctl).
author:
  - lvs.cluster maintainers (@lvs-cluster)
options:
  interface:
    description: The network interface, for example C(eth0).
    type: str
    required: true
  cpus:
    description:
      - The CPUs used for RPS and spread over by XPS.
      - V(local) means the online CPUs local to the NIC (the PCI device's C(local_cpulist),
        else its NUMA node's CPUs, else all online CPUs for virtual devices).
      - V(all) means every online CPU.
      - Otherwise a kernel CPU list such as V(0-3,8-11), or a mask with a C(0x) prefix such as
        V(0xff,ffffffff). Offline CPUs named here are left out with a warning.
    type: str
    default: local
  rps:
    description:
      - V(true) sets C(rps_cpus) of every receive queue to O(cpus); V(false) writes an empty
        mask (RPS off). When omitted, C(rps_cpus) is not touched.
    type: bool
  rps_flow_cnt:
    description:
      - RFS flow table entries per receive queue (C(rps_flow_cnt)). The kernel rounds it up
        to a power of two; the module compares against the rounded value. V(0) disables the
        per-queue table. When omitted, it is not touched.
    type: int
  xps:
    description:
      - V(spread) maps every CPU of O(cpus) to exactly one transmit queue, round robin
        (queues share CPUs when there are fewer CPUs than queues). V(disabled) writes empty
        masks. When omitted, C(xps_cpus) is not touched.
      - Single-queue devices have no usable C(xps_cpus) (the kernel answers ENOENT); XPS is then
        skipped with a warning.
    type: str
    choices: [spread, disabled]
attributes:
  check_mode:
    support: full
    description: Computes and reports the same changes without writing.
  diff_mode:
    support: full
    description: One line per changed file, before and after, as CPU lists.
  platform:
    support: full
    platforms: posix
    description: Linux with RPS (an SMP kernel); uniprocessor kernels have no C(rps_cpus).
notes:
  - Masks are written in the kernel's own format (32-bit words separated by commas, for
    more than 32 CPUs).
seealso:
  - module: lvs.cluster.irq_affinity
  - module: ansible.posix.sysctl
  - name: Scaling in the Linux Networking Stack (RPS, RFS, XPS)
    description: The kernel's documentation of these files.
    link: https://docs.kernel.org/networking/scaling.html
"""

EXAMPLES = r"""
- name: RPS over the NIC-local CPUs, 4096 RFS flows per queue, XPS spread
  lvs.cluster.net_queues:
    interface: eth0
    rps: true
    rps_flow_cnt: 4096
    xps: spread

- name: RPS on CPUs 2-7 only
  lvs.cluster.net_queues:
    interface: eth1
    cpus: 2-7
    rps: true

- name: Turn RPS off again
  lvs.cluster.net_queues:
    interface: eth1
    rps: false
"""

RETURN = r"""
cpus:
  description: The CPU list used for RPS and XPS (empty when neither was asked).
  returned: always
  type: str
  sample: "0-1"
cpus_from:
  description: Where that CPU list came from.
  returned: when rps or xps=spread is set
  type: str
  sample: local_cpulist of /sys/devices/pci0000:00/0000:00:03.0
rx_queues:
  description: Number of receive queues of the interface.
  returned: always
  type: int
  sample: 4
tx_queues:
  description: Number of transmit queues of the interface.
  returned: always
  type: int
  sample: 4
settings:
  description:
    - Every file the module manages on this interface, with its value before and after (CPU lists for masks)
      and C(value), the exact text written (a mask for masks).
  returned: always
  type: list
  elements: dict
  sample:
    - path: /sys/class/net/eth0/queues/rx-0/rps_cpus
      item: rx-0 rps_cpus
      before: ""
      after: "0-1"
      value: "3"
      changed: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.tuning import manage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interface=dict(type="str", required=True),
            cpus=dict(type="str", default="local"),
            rps=dict(type="bool"),
            rps_flow_cnt=dict(type="int"),
            xps=dict(type="str", choices=["spread", "disabled"]),
        ),
        required_one_of=[("rps", "rps_flow_cnt", "xps")],
        supports_check_mode=True,
    )
    manage.run(module, manage.ensure_net_queues)


if __name__ == "__main__":
    main()
