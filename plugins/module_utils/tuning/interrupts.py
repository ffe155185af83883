# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse /proc/interrupts and recognise the interrupts of a network interface's queues.

Only online CPUs have a column in /proc/interrupts, so the header (``CPU0 CPU2 ...``)
is read, not assumed. After the per-CPU counts come the interrupt chip, the hardware
IRQ and trigger (``1-edge``; older kernels print ``PCI-MSI-edge`` as one token) and
the action names, comma-separated when the line is shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TRIGGER = re.compile(r"(?:^|-)(?:edge|level|fasteoi|simple|none)$", re.IGNORECASE)


@dataclass(frozen=True)
class Interrupt:
    """One numbered line of /proc/interrupts."""

    irq: int
    counts: dict = field(default_factory=dict)
    chip: str = ""
    actions: tuple = ()

    @property
    def total(self):
        return sum(self.counts.values())


@dataclass(frozen=True)
class QueueIrq:
    """An interrupt that serves one queue of an interface."""

    irq: int
    name: str
    kind: str  # rx, tx or combined
    index: int


def parse_interrupts(text):
    """Parse /proc/interrupts into a list of Interrupt (numbered lines only)."""
    lines = text.splitlines()
    if not lines:
        raise ValueError("/proc/interrupts is empty")
    header = lines[0].split()
    if not header or not all(re.match(r"^CPU\d+$", h) for h in header):
        raise ValueError("/proc/interrupts: unexpected header %r" % lines[0])
    cpus = [int(h[3:]) for h in header]
    result = []
    for line in lines[1:]:
        head, sep, rest = line.partition(":")
        head = head.strip()
        if not sep or not head.isdigit():
            continue
        tokens = rest.split()
        counts = {}
        for cpu, token in zip(cpus, tokens):
            if not token.isdigit():
                break
            counts[cpu] = int(token)
        tail = tokens[len(counts) :]
        chip, names = _split_tail(tail)
        actions = tuple(n.strip() for n in " ".join(names).split(",") if n.strip())
        result.append(Interrupt(irq=int(head), counts=counts, chip=chip, actions=actions))
    return result


def _split_tail(tail):
    """Split what follows the counts into (chip, action name tokens)."""
    last_trigger = None
    for index, token in enumerate(tail):
        if _TRIGGER.search(token):
            last_trigger = index
    if last_trigger is None:
        return (tail[0] if tail else ""), tail[1:]
    return " ".join(tail[: last_trigger + 1]), tail[last_trigger + 1 :]


def queue_patterns(ifname, device_names=(), pci_slots=()):
    """Regular expressions (with kind) matching the queue IRQ names of one interface.

    Covers the common driver conventions:
    ``eth0-TxRx-3`` (ixgbe, i40e, ice, igb, bnxt), ``i40e-eth0-TxRx-3``, ``eth0-rx-3``,
    ``eth0-tx-3``, ``eth0-3`` (ice, sfc), ``eth0-fp-3`` (bnx2x),
    ``virtio2-input.3`` / ``virtio2-output.3`` (virtio-net, by the virtio device name),
    ``mlx5_comp3@pci:0000:3b:00.0`` (mlx5, by the PCI address) and
    ``mlx4-3@0000:3b:00.0`` (mlx4).
    """
    name = re.escape(ifname)
    pats = [
        (r"^(?:[A-Za-z0-9_]+-)?%s-(?:TxRx|rxtx|txrx|fp|combined|q)-(\d+)$" % name, "combined"),
        (r"^(?:[A-Za-z0-9_]+-)?%s-(?:rx|Rx|RX)-(\d+)$" % name, "rx"),
        (r"^(?:[A-Za-z0-9_]+-)?%s-(?:tx|Tx|TX)-(\d+)$" % name, "tx"),
        (r"^%s-(\d+)$" % name, "combined"),
    ]
    for dev in device_names:
        dev = re.escape(dev)
        pats.append((r"^%s-input\.(\d+)$" % dev, "rx"))
        pats.append((r"^%s-output\.(\d+)$" % dev, "tx"))
    for slot in pci_slots:
        slot = re.escape(slot)
        pats.append((r"^mlx5_comp(\d+)@pci:%s$" % slot, "combined"))
        pats.append((r"^mlx4-(\d+)@(?:pci:)?%s$" % slot, "combined"))
    return [(re.compile(p), kind) for p, kind in pats]


def queue_irqs(interrupts, ifname, device_names=(), pci_slots=(), msi_irqs=None):
    """The queue interrupts of one interface, sorted by queue index then kind.

    ``msi_irqs`` (the numbers listed in the device's msi_irqs directory), when known,
    restricts the result to interrupts the device really owns.
    """
    patterns = queue_patterns(ifname, device_names, pci_slots)
    found = []
    for intr in interrupts:
        if msi_irqs is not None and intr.irq not in msi_irqs:
            continue
        for action in intr.actions:
            for regex, kind in patterns:
                match = regex.match(action)
                if match:
                    found.append(QueueIrq(irq=intr.irq, name=action, kind=kind, index=int(match.group(1))))
                    break
            else:
                continue
            break
    order = {"combined": 0, "rx": 1, "tx": 2}
    return sorted(found, key=lambda q: (q.index, order[q.kind], q.irq))
