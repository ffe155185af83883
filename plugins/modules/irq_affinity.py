#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: irq_affinity
short_description: Pin the queue interrupts of a network interface to CPUs
version_added: "0.1.0"
description:
  - Finds the interrupts of an interface's queues in C(/proc/interrupts) and sets their
    C(/proc/irq/<n>/smp_affinity_list).
  - Queue interrupts are recognised by the names drivers give them
    (C(eth0-TxRx-3), C(eth0-rx-3), C(i40e-eth0-TxRx-3), C(eth0-fp-3),
    C(virtio2-input.3)/C(virtio2-output.3), C(mlx5_comp3@pci:0000:3b:00.0), C(mlx4-3@0000:3b:00.0)),
    restricted to the interrupts the PCI device owns (its C(msi_irqs)) when the kernel lists
    them. Control interrupts (C(virtio2-config), C(mlx5_async0), a link interrupt named just
    C(eth0)) are left alone.
  - Reads the current affinity first, writes only the interrupts that differ, then reads
    back and checks. Every input is checked before the first write.
  - irqbalance moves interrupts around on its own; stop it or keep it off these interrupts
    (the C(lvs.cluster.tuning) role does this). The values last until reboot; the role
    makes them persistent.
author:
  - lvs.cluster maintainers (@lvs-cluster)
options:
  interface:
    description: The network interface, for example C(eth0).
    type: str
    required: true
  cpus:
    description:
      - The CPUs to place the interrupts on.
      - V(local) means the online CPUs local to the NIC (the PCI device's C(local_cpulist),
        else its NUMA node's CPUs, else all online CPUs).
      - V(all) means every online CPU.
      - Otherwise a kernel CPU list such as V(0-3,8-11) or a mask with a C(0x) prefix.
        Offline CPUs named here are left out with a warning; CPUs that do not exist, or a
        selection with no online CPU, fail.
    type: str
    default: local
  strategy:
    description:
      - V(spread) gives queue I(i) the I(i)-th CPU of O(cpus), round robin; the receive and
        transmit interrupts of one queue pair share that CPU.
      - V(all) lets every queue interrupt run on any CPU of O(cpus).
    type: str
    choices: [spread, all]
    default: spread
  allow_no_irqs:
    description:
      - When the interface has no queue interrupts (a veth, a bridge, or a driver naming
        scheme this module does not know), succeed with a warning instead of failing.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Computes and reports the same changes without writing.
  diff_mode:
    support: full
    description: One line per changed interrupt, before and after, as CPU lists.
  platform:
    support: full
    platforms: posix
    description: Linux with SMP; a uniprocessor kernel has nothing to spread.
notes:
  - Some drivers use kernel-managed interrupts whose affinity cannot be changed; the kernel
    then refuses the write and the module fails naming the interrupt and the errno.
seealso:
  - module: lvs.cluster.net_queues
  - name: SMP IRQ affinity
    description: The kernel's documentation of /proc/irq/*/smp_affinity.
    link: https://docs.kernel.org/core-api/irq/irq-affinity.html
"""

EXAMPLES = r"""
- name: Spread eth0's queue interrupts over the CPUs local to its NUMA node
  lvs.cluster.irq_affinity:
    interface: eth0

- name: Spread ens1f0np0's queues over CPUs 2-15, leaving 0-1 for the rest of the system
  lvs.cluster.irq_affinity:
    interface: ens1f0np0
    cpus: 2-15
"""

RETURN = r"""
cpus:
  description: The CPU list the interrupts were placed on.
  returned: always
  type: str
  sample: "0-1"
cpus_from:
  description: Where that CPU list came from.
  returned: always
  type: str
  sample: NUMA node 1
irqs:
  description: The queue interrupts found for the interface.
  returned: always
  type: list
  elements: int
  sample: [38, 39]
settings:
  description:
    - Each queue interrupt's smp_affinity_list file with its value before and after, C(value), the exact text written,
      and C(irq_name), the interrupt's name in /proc/interrupts (stable across reboots, unlike its number).
  returned: always
  type: list
  elements: dict
  sample:
    - path: /proc/irq/38/smp_affinity_list
      item: irq 38 (virtio2-input.0)
      before: "0-1"
      after: "0"
      value: "0"
      irq_name: virtio2-input.0
      changed: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.tuning import manage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interface=dict(type="str", required=True),
            cpus=dict(type="str", default="local"),
            strategy=dict(type="str", choices=["spread", "all"], default="spread"),
            allow_no_irqs=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    manage.run(module, manage.ensure_irq_affinity)


if __name__ == "__main__":
    main()
