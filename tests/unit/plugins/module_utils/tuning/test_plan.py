# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.plan import (
    apply_writes,
    diff_text,
    plan_irq_affinity,
    plan_net_queues,
    resolve_cpus,
    spread,
    xps_map,
)
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.sysfs import HostView, KernelFS


def host(kernel_tree, name):
    return HostView(KernelFS(kernel_tree(name)), "h1")


def read(view, path):
    return view.fs.read(path)


# ---- CPU selection and its errors -------------------------------------------


def test_local_cpus_recorded_host(kernel_tree):
    view = host(kernel_tree, "host-2cpu")
    cpus, source = view.local_cpus("eth0")
    assert cpus == frozenset([0, 1])
    assert "local_cpulist of /sys/devices/pci0000:00/0000:00:03.0" in source
    assert view.device("eth0")["numa_node"] == -1
    assert view.device("eth0")["msi_irqs"] == frozenset([37, 38, 39])


def test_local_cpus_numa_node_without_offline(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    cpus, _source = view.local_cpus("ens1f0np0")
    assert cpus == frozenset(list(range(10, 20)) + list(range(30, 39)))  # 39 is offline
    cpus, _source = view.local_cpus("eth2")
    assert cpus == frozenset(list(range(0, 5)) + list(range(6, 10)) + list(range(20, 30)))  # 5 is offline


def test_virtual_device_uses_all_online(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    cpus, source = view.local_cpus("tvq0")
    assert cpus == frozenset([0, 1]) and "no NUMA" in source


@pytest.mark.parametrize("spec,expected", [("all", {0, 1}), ("1", {1}), ("0-1", {0, 1}), ("0x2", {1})])
def test_resolve_cpus(kernel_tree, spec, expected):
    cpus, warnings, _source = resolve_cpus(host(kernel_tree, "host-2cpu"), "eth0", spec)
    assert cpus == frozenset(expected) and not warnings


@pytest.mark.parametrize(
    "spec,words",
    [
        ("0-3", ["h1", "eth0", "'0-3'", "CPUs 2-3 that do not exist", "CPUs here: 0-1"]),
        ("0x0", ["h1", "eth0", "'0x0'", "leaves no CPU"]),
        ("", ["h1", "eth0", "leaves no CPU"]),
        ("zero", ["h1", "eth0", "'zero'", "not a CPU list or mask"]),
    ],
)
def test_resolve_cpus_errors_name_host_interface_value(kernel_tree, spec, words):
    with pytest.raises(TuningError) as err:
        resolve_cpus(host(kernel_tree, "host-2cpu"), "eth0", spec)
    for word in words:
        assert word in str(err.value)


def test_offline_cpus_warned_then_refused_when_nothing_left(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    cpus, warnings, _source = resolve_cpus(view, "eth2", "4-6")
    assert cpus == frozenset([4, 6]) and "CPUs 5 are offline" in warnings[0]
    with pytest.raises(TuningError, match="host h1, interface eth2: cpus='39' leaves no online CPU: 39 offline"):
        resolve_cpus(view, "eth2", "39")


def test_unknown_interface(kernel_tree):
    view = host(kernel_tree, "host-2cpu")
    with pytest.raises(TuningError, match=r"host h1: interface='eth9' does not exist \(interfaces here: eth0\)"):
        plan_net_queues(view, "eth9", rps=True)
    with pytest.raises(TuningError, match="not a valid interface name"):
        plan_net_queues(view, "../eth0", rps=True)


# ---- spread algorithms --------------------------------------------------------


def test_spread_round_robin():
    assert spread([0, 1, 2, 3, 4], {10, 11, 12}) == {0: 10, 1: 11, 2: 12, 3: 10, 4: 11}


def test_xps_map_every_cpu_on_one_queue():
    assert xps_map([0, 1], {0, 1, 2, 3, 4}) == {0: frozenset([0, 2, 4]), 1: frozenset([1, 3])}
    assert xps_map([0, 1, 2, 3], {0, 1}) == {0: frozenset([0]), 1: frozenset([1]), 2: frozenset([0]), 3: frozenset([1])}


# ---- RPS / RFS / XPS ------------------------------------------------------------


def test_net_queues_plan_apply_idempotent(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    writes, warnings, facts = plan_net_queues(view, "tvq0", cpus="all", rps=True, rps_flow_cnt=2048, xps="spread")
    assert not warnings and facts["rx_queues"] == 4 and facts["tx_queues"] == 4
    assert len([w for w in writes if w.changed]) == 12
    # check mode: nothing written
    assert len(apply_writes(view, writes, check_mode=True)) == 12
    assert read(view, "/sys/class/net/tvq0/queues/rx-0/rps_cpus") == "0"
    apply_writes(view, writes)
    assert read(view, "/sys/class/net/tvq0/queues/rx-3/rps_cpus") == "3"
    assert read(view, "/sys/class/net/tvq0/queues/rx-3/rps_flow_cnt") == "2048"
    assert [read(view, "/sys/class/net/tvq0/queues/tx-%d/xps_cpus" % q) for q in range(4)] == ["1", "2", "1", "2"]
    again, _w, _f = plan_net_queues(view, "tvq0", cpus="all", rps=True, rps_flow_cnt=2048, xps="spread")
    assert not [w for w in again if w.changed]
    before, after = diff_text(writes)
    assert "rx-0/rps_cpus: (none)" in before and "rx-0/rps_cpus: 0-1" in after


def test_flow_cnt_rounded_like_the_kernel(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    writes, _w, _f = plan_net_queues(view, "tvq0", rps_flow_cnt=3000)
    assert {w.after for w in writes} == {"4096"} and {w.value for w in writes} == {"4096"}
    with pytest.raises(TuningError, match="rps_flow_cnt=-1"):
        plan_net_queues(view, "tvq0", rps_flow_cnt=-1)


def test_rps_disable_writes_zero_mask(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    view.fs.write("/sys/class/net/eth2/queues/rx-1/rps_cpus", "00,0000ff00")
    writes, _w, _f = plan_net_queues(view, "eth2", rps=False)
    changed = [w for w in writes if w.changed]
    assert [(w.item, w.before, w.value) for w in changed] == [("rx-1 rps_cpus", "8-15", "00,00000000")]


def test_rps_mask_over_32_cpus(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    writes, _w, facts = plan_net_queues(view, "ens1f0np0", rps=True)
    assert facts["cpus"] == "10-19,30-38"
    assert {w.value for w in writes} == {"7f,c00ffc00"}
    apply_writes(view, writes)
    assert read(view, "/sys/class/net/ens1f0np0/queues/rx-7/rps_cpus") == "7f,c00ffc00"


def test_single_queue_device_xps_warns(kernel_tree):
    view = host(kernel_tree, "host-2cpu")
    writes, warnings, _f = plan_net_queues(view, "eth0", rps=True, xps="spread")
    assert [w.item for w in writes] == ["rx-0 rps_cpus"]
    assert "single-queue" in warnings[0]


def test_uniprocessor_kernel_without_rps(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    import os

    os.remove(view.fs.path("/sys/class/net/tvq0/queues/rx-0/rps_cpus"))
    with pytest.raises(TuningError, match="this kernel has no RPS"):
        plan_net_queues(view, "tvq0", cpus="all", rps=True)


# ---- IRQ affinity --------------------------------------------------------------------


def test_irq_affinity_recorded_host(kernel_tree):
    view = host(kernel_tree, "host-2cpu")
    writes, warnings, facts = plan_irq_affinity(view, "eth0", cpus="local")
    assert facts["irqs"] == [38, 39] and not warnings
    assert [(w.item, w.before, w.after) for w in writes] == [("irq 38 (virtio2-input.0)", "0-1", "0"), ("irq 39 (virtio2-output.0)", "0-1", "0")]
    apply_writes(view, writes)
    assert read(view, "/proc/irq/38/smp_affinity_list") == "0"
    again, _w, _f = plan_irq_affinity(view, "eth0", cpus="local")
    assert not [w for w in again if w.changed]


def test_irq_affinity_mlx5_numa_local_spread(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    writes, _w, facts = plan_irq_affinity(view, "ens1f0np0")
    assert facts["irqs"] == list(range(141, 149))
    assert [w.after for w in writes] == ["10", "11", "12", "13", "14", "15", "16", "17"]
    writes, _w, _f = plan_irq_affinity(view, "eth2", cpus="0-4,6-9", strategy="all")
    assert {w.after for w in writes} == {"0-4,6-9"}


def test_irq_affinity_virtual_device(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    with pytest.raises(TuningError, match="host h1, interface tvq0: no queue interrupts found"):
        plan_irq_affinity(view, "tvq0", cpus="all")
    writes, warnings, _f = plan_irq_affinity(view, "tvq0", cpus="all", allow_no_irqs=True)
    assert writes == [] and "no queue interrupts" in warnings[0]


def test_bad_cpus_fail_before_any_write(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    with pytest.raises(TuningError, match="cpus='0-63' names CPUs 40-63 that do not exist"):
        plan_irq_affinity(view, "ens1f0np0", cpus="0-63")
    assert read(view, "/proc/irq/141/smp_affinity_list") == "0-4,6-38"


# ---- the lab's uniprocessor UML guest (recorded) ----------------------------------------


def test_uml_guest_has_no_rps_and_no_queue_irqs(kernel_tree):
    view = host(kernel_tree, "uml-1cpu")
    assert view.online == frozenset([0])
    assert view.queues("vec1") == ([], [0])
    with pytest.raises(TuningError, match="host h1, interface vec1: .* has no rx-N directories: this kernel has no RPS"):
        plan_net_queues(view, "vec1", cpus="all", rps=True)
    writes, warnings, _facts = plan_net_queues(view, "vec1", cpus="all", xps="spread")
    assert writes == [] and "single-queue" in warnings[0]
    with pytest.raises(TuningError, match="no queue interrupts found"):
        plan_irq_affinity(view, "vec1", cpus="all")


def test_kernel_refusal_names_host_file_value_and_errno(kernel_tree, monkeypatch):
    import errno

    view = host(kernel_tree, "numa-40cpu")
    writes, _w, _f = plan_irq_affinity(view, "ens1f0np0")

    def refuse(path, value):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(view.fs, "write", refuse)
    with pytest.raises(TuningError, match=r"host h1: writing '10' to /proc/irq/141/smp_affinity_list failed: Input/output error"):
        apply_writes(view, writes)


def test_readback_mismatch_is_an_error(kernel_tree, monkeypatch):
    view = host(kernel_tree, "veth-4q")
    writes, _w, _f = plan_net_queues(view, "tvq0", cpus="all", rps=True)
    monkeypatch.setattr(view.fs, "write", lambda path, value: None)  # the kernel ignores the write
    with pytest.raises(TuningError, match=r"wrote '3' to /sys/class/net/tvq0/queues/rx-0/rps_cpus but the kernel now reports ''"):
        apply_writes(view, writes)
