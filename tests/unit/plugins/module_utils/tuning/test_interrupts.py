# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.interrupts import parse_interrupts, queue_irqs

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def read(name):
    with open(os.path.join(FIXTURES, name, "proc", "interrupts")) as handle:
        return handle.read()


def test_parse_recorded_host():
    irqs = dict((i.irq, i) for i in parse_interrupts(read("host-2cpu")))
    assert irqs[38].actions == ("virtio2-input.0",)
    assert irqs[38].chip == "PCI-MSIX-0000:00:03.0 1-edge"
    assert set(irqs[38].counts) == {0, 1}
    assert irqs[24].actions == ("ACPI:Ged",)
    assert irqs[26].actions == ("ttyS0",)
    # named lines (NMI, LOC, ERR) are not numbered interrupts
    assert all(isinstance(k, int) for k in irqs)
    assert "NMI" not in str(sorted(irqs))


def test_parse_columns_follow_header_with_offline_cpus():
    irqs = dict((i.irq, i) for i in parse_interrupts(read("numa-40cpu")))
    # CPU5 is offline: no column, so the count of CPU 10 is the 10th column, not the 11th
    assert 5 not in irqs[141].counts and 39 not in irqs[141].counts
    assert irqs[141].counts[10] == 1000
    assert irqs[148].counts[17] == 8000
    assert irqs[141].actions == ("mlx5_comp0@pci:0000:3b:00.0",)
    assert irqs[9].chip == "IR-IO-APIC 9-fasteoi"


@pytest.mark.parametrize(
    "line,chip,actions",
    [
        ("  30:   1   2  IR-PCI-MSI 524288-edge      eth0-TxRx-0", "IR-PCI-MSI 524288-edge", ("eth0-TxRx-0",)),
        ("  30:   1   2  PCI-MSI-edge      eth0-rx-0", "PCI-MSI-edge", ("eth0-rx-0",)),
        ("  16:   1   2  IO-APIC  16-fasteoi   ehci_hcd:usb1, eth1", "IO-APIC 16-fasteoi", ("ehci_hcd:usb1", "eth1")),
    ],
)
def test_parse_other_kernel_formats(line, chip, actions):
    (intr,) = parse_interrupts("           CPU0       CPU1\n" + line + "\n")
    assert intr.chip == chip
    assert intr.actions == actions


def test_parse_rejects_garbage():
    with pytest.raises(ValueError):
        parse_interrupts("")
    with pytest.raises(ValueError):
        parse_interrupts("hello world\n")


def test_virtio_queues_of_recorded_host():
    intr = parse_interrupts(read("host-2cpu"))
    found = queue_irqs(intr, "eth0", ["virtio2", "0000:00:03.0"], ["0000:00:03.0"], frozenset([37, 38, 39]))
    assert [(q.irq, q.kind, q.index) for q in found] == [(38, "rx", 0), (39, "tx", 0)]
    # virtio3 is another device: its rx/tx lines are not eth0's
    assert not queue_irqs(intr, "eth0")


def test_mlx5_and_ixgbe_queues():
    intr = parse_interrupts(read("numa-40cpu"))
    mlx = queue_irqs(intr, "ens1f0np0", ["0000:3b:00.0"], ["0000:3b:00.0"])
    assert [q.index for q in mlx] == list(range(8))
    assert all(q.kind == "combined" for q in mlx)
    assert 140 not in [q.irq for q in mlx]  # mlx5_async0 is not a queue
    ixg = queue_irqs(intr, "eth2")
    assert [q.irq for q in ixg] == [160, 161, 162, 163]  # the link IRQ named plain 'eth2' is not a queue


@pytest.mark.parametrize(
    "name,kind,index",
    [
        ("i40e-eth3-TxRx-5", "combined", 5),
        ("eth3-rx-2", "rx", 2),
        ("eth3-tx-7", "tx", 7),
        ("eth3-12", "combined", 12),
        ("eth3-fp-1", "combined", 1),
    ],
)
def test_driver_naming(name, kind, index):
    text = "           CPU0\n  99:          0  IR-PCI-MSI 1-edge      %s\n" % name
    (q,) = queue_irqs(parse_interrupts(text), "eth3")
    assert (q.kind, q.index) == (kind, index)


def test_similar_interface_name_not_matched():
    text = "           CPU0\n  99:          0  IR-PCI-MSI 1-edge      eth30-TxRx-1\n"
    assert not queue_irqs(parse_interrupts(text), "eth3")


def test_parse_uml_guest():
    irqs = dict((i.irq, i) for i in parse_interrupts(read("uml-1cpu")))
    assert irqs[12].chip == "SIGIO" and irqs[12].actions == ("vec1",)
    assert irqs[0].actions == ("hr timer",)
    assert set(irqs[12].counts) == {0}
    assert not queue_irqs(list(irqs.values()), "vec1")
