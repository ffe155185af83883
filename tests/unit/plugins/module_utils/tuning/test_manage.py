# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tuning/manage.py: each tuning module from read to verify, without root.

The sysfs modules run on copies of the kernel trees recorded in fixtures/ (``kernel_tree``);
ethtool_settings runs against a fake ethtool that answers ``-k``/``-g`` with output recorded
from real drivers (fixtures/ethtool/) and applies ``-K``/``-G`` to that text, so the read
after a change sees the change, as on a real NIC.
"""

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.tuning import manage
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.sysfs import HostView, KernelFS
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.tuning.tests_tuning_data import ETHTOOL, FakeEthtool, recorded


class FakeModule(FakeEthtool):
    """What the manage functions use of an AnsibleModule (ethtool is a FakeEthtool), and run()'s exits."""

    def __init__(self, params, check_mode=False, diff=False, **ethtool):
        super().__init__(**ethtool)
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []
        self.exited = None

    def get_bin_path(self, name, required=False):
        assert name == "ethtool" and required
        return ETHTOOL

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        self.exited = result
        raise SystemExit(0)

    def fail_json(self, **result):
        self.exited = dict(result, failed=True)
        raise SystemExit(1)


def host(kernel_tree, name):
    return HostView(KernelFS(kernel_tree(name)), "h1")


def irq_params(**given):
    return dict(dict(interface="eth0", cpus="local", strategy="spread", allow_no_irqs=False), **given)


def queue_params(**given):
    return dict(dict(interface="tvq0", cpus="local", rps=None, rps_flow_cnt=None, xps=None), **given)


def ethtool_params(**given):
    return dict(dict(interface="te0", features=None, rings=None), **given)


# ---- run(): the one edge --------------------------------------------------------------------


def test_run_exits_with_result_and_warnings(kernel_tree, monkeypatch):
    view = host(kernel_tree, "host-2cpu")
    monkeypatch.setattr(manage, "local_host", lambda: view)
    module = FakeModule(queue_params(interface="eth0", cpus="all", xps="spread"), check_mode=True)
    with pytest.raises(SystemExit):
        manage.run(module, manage.ensure_net_queues)
    assert module.exited["changed"] is False and module.exited["settings"] == []
    assert "warnings" not in module.exited
    assert module.warnings == ["host h1, interface eth0: XPS left alone: the kernel offers no xps_cpus on a single-queue device"]


def test_run_turns_tuning_error_into_fail_json_without_warnings(kernel_tree, monkeypatch):
    view = host(kernel_tree, "numa-40cpu")
    monkeypatch.setattr(manage, "local_host", lambda: view)
    module = FakeModule(irq_params(interface="ens1f0np0", cpus="39"))
    with pytest.raises(SystemExit):
        manage.run(module, manage.ensure_irq_affinity)
    assert module.exited["failed"] is True and module.warnings == []
    assert module.exited["msg"].startswith("host h1, interface ens1f0np0: cpus='39' leaves no online CPU")


def test_local_host_is_the_real_root():
    view = manage.local_host()
    assert view.fs.root == "/" and view.hostname


# ---- irq_affinity -----------------------------------------------------------------------------


def test_irq_affinity_check_diff_apply_idempotent(kernel_tree):
    view = host(kernel_tree, "host-2cpu")
    checked = manage.ensure_irq_affinity(FakeModule(irq_params(cpus="1"), check_mode=True, diff=True), view)
    assert checked["changed"] is True and checked["irqs"] == [38, 39] and checked["warnings"] == []
    assert checked["cpus"] == "1" and checked["cpus_from"] == "the cpus option"
    assert checked["diff"] == {
        "before": "/proc/irq/38/smp_affinity_list: 0-1\n/proc/irq/39/smp_affinity_list: 0-1\n",
        "after": "/proc/irq/38/smp_affinity_list: 1\n/proc/irq/39/smp_affinity_list: 1\n",
        "before_header": "eth0 interrupts",
        "after_header": "eth0 interrupts",
    }
    assert view.fs.read("/proc/irq/38/smp_affinity_list") == "0-1"
    applied = manage.ensure_irq_affinity(FakeModule(irq_params(cpus="1")), view)
    assert applied["changed"] is True and "diff" not in applied
    assert [s["after"] for s in applied["settings"]] == ["1", "1"]
    assert [s["irq_name"] for s in applied["settings"]] == ["virtio2-input.0", "virtio2-output.0"]
    assert view.fs.read("/proc/irq/39/smp_affinity_list") == "1"
    again = manage.ensure_irq_affinity(FakeModule(irq_params(cpus="1"), diff=True), view)
    assert again["changed"] is False and "diff" not in again


def test_irq_affinity_numa_local_spread(kernel_tree):
    view = host(kernel_tree, "numa-40cpu")
    result = manage.ensure_irq_affinity(FakeModule(irq_params(interface="ens1f0np0"), check_mode=True), view)
    assert result["irqs"] == list(range(141, 149)) and result["cpus"] == "10-19,30-38"
    assert result["cpus_from"].startswith("local_cpulist of /sys/devices/pci0000:3a/")
    assert [s["after"] for s in result["settings"]] == ["10", "11", "12", "13", "14", "15", "16", "17"]


def test_irq_affinity_virtual_device_warns_when_allowed(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    with pytest.raises(TuningError, match="set allow_no_irqs=true"):
        manage.ensure_irq_affinity(FakeModule(irq_params(interface="tvq0")), view)
    result = manage.ensure_irq_affinity(FakeModule(irq_params(interface="tvq0", allow_no_irqs=True)), view)
    assert result["changed"] is False and result["irqs"] == [] and result["settings"] == []
    assert len(result["warnings"]) == 1 and "no queue interrupts found" in result["warnings"][0]


def test_check_mode_never_writes(kernel_tree, monkeypatch):
    view = host(kernel_tree, "numa-40cpu")

    def no_write(path, value):
        raise AssertionError("check mode wrote %r to %s" % (value, path))

    monkeypatch.setattr(view.fs, "write", no_write)
    result = manage.ensure_irq_affinity(FakeModule(irq_params(interface="eth2", cpus="0-4,6-9", strategy="all"), check_mode=True), view)
    assert result["changed"] is True and {s["after"] for s in result["settings"]} == {"0-4,6-9"}
    params = queue_params(interface="ens1f0np0", cpus="all", rps=True, xps="disabled")
    result = manage.ensure_net_queues(FakeModule(params, check_mode=True), view)
    assert result["changed"] is True and result["rx_queues"] == 8 and result["tx_queues"] == 8


# ---- net_queues -------------------------------------------------------------------------------


def test_net_queues_check_diff_apply_idempotent(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    params = queue_params(cpus="all", rps=True, rps_flow_cnt=4000, xps="spread")
    checked = manage.ensure_net_queues(FakeModule(params, check_mode=True, diff=True), view)
    assert checked["changed"] is True and checked["rx_queues"] == 4 and checked["tx_queues"] == 4
    assert checked["cpus"] == "0-1" and checked["cpus_from"] == "all online CPUs"
    assert "/sys/class/net/tvq0/queues/rx-3/rps_flow_cnt: 4096\n" in checked["diff"]["after"]
    assert checked["diff"]["before_header"] == "tvq0 queues"
    assert view.fs.read("/sys/class/net/tvq0/queues/rx-0/rps_cpus") == "0"
    applied = manage.ensure_net_queues(FakeModule(params), view)
    assert applied["changed"] is True and len(applied["settings"]) == 12
    assert view.fs.read("/sys/class/net/tvq0/queues/rx-0/rps_cpus") == "3"
    assert view.fs.read("/sys/class/net/tvq0/queues/rx-0/rps_flow_cnt") == "4096"
    assert [view.fs.read("/sys/class/net/tvq0/queues/tx-%d/xps_cpus" % q) for q in range(4)] == ["1", "2", "1", "2"]
    again = manage.ensure_net_queues(FakeModule(params, diff=True), view)
    assert again["changed"] is False and "diff" not in again


def test_net_queues_flow_cnt_only_has_no_cpus(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    result = manage.ensure_net_queues(FakeModule(queue_params(rps_flow_cnt=0), check_mode=True), view)
    assert result["changed"] is False and result["cpus"] == "" and "cpus_from" not in result


def test_net_queues_uniprocessor_guest_fails_naming_the_directory(kernel_tree):
    view = host(kernel_tree, "uml-1cpu")
    with pytest.raises(TuningError, match=r"host h1, interface vec1: /sys/class/net/vec1/queues has no rx-N directories"):
        manage.ensure_net_queues(FakeModule(queue_params(interface="vec1", rps=True)), view)


# ---- ethtool_settings ---------------------------------------------------------------------


def test_ethtool_check_mode_reports_without_running(kernel_tree):
    module = FakeModule(ethtool_params(features={"gro": True, "tso": "off"}), check_mode=True, diff=True, features=recorded("k-veth.txt"))
    result = manage.ensure_ethtool(module, host(kernel_tree, "veth-4q"))
    assert result["changed"] is True
    assert result["commands"] == [ETHTOOL + " -K te0 generic-receive-offload on tcp-segmentation-offload off"]
    assert result["features"] == {"generic-receive-offload": True, "tcp-segmentation-offload": False} and result["rings"] == {}
    assert result["diff"] == {
        "before": "feature generic-receive-offload: off\nfeature tcp-segmentation-offload: on\n",
        "after": "feature generic-receive-offload: on\nfeature tcp-segmentation-offload: off\n",
        "before_header": "te0 ethtool",
        "after_header": "te0 ethtool",
    }
    assert module.ran == [[ETHTOOL, "-k", "te0"]]


def test_ethtool_apply_reads_back_then_idempotent(kernel_tree):
    view = host(kernel_tree, "veth-4q")
    module = FakeModule(ethtool_params(features={"gro": True}), features=recorded("k-veth.txt"))
    result = manage.ensure_ethtool(module, view)
    assert result["changed"] is True and "diff" not in result
    assert module.ran == [[ETHTOOL, "-k", "te0"], [ETHTOOL, "-K", "te0", "generic-receive-offload", "on"], [ETHTOOL, "-k", "te0"]]
    again = FakeModule(ethtool_params(features={"gro": True}), diff=True, features=module.features)
    result = manage.ensure_ethtool(again, view)
    assert result == {"changed": False, "commands": [], "features": {}, "rings": {}} and again.changes_run() == []


def test_ethtool_rings(kernel_tree):
    module = FakeModule(ethtool_params(interface="eth0", rings={"rx": "128", "tx": 256}), rings=recorded("g-virtio-eth0.txt"))
    result = manage.ensure_ethtool(module, host(kernel_tree, "host-2cpu"))
    assert result["changed"] is True and result["rings"] == {"rx": 128}
    assert module.changes_run() == [[ETHTOOL, "-G", "eth0", "rx", "128"]]
    assert "RX:\t\t128" in module.rings


def test_ethtool_driver_ignoring_the_change_fails_verify(kernel_tree):
    module = FakeModule(ethtool_params(features={"gro": True}), features=recorded("k-veth.txt"), refuse=("-K",))
    with pytest.raises(TuningError) as err:
        manage.ensure_ethtool(module, host(kernel_tree, "veth-4q"))
    assert str(err.value) == (
        "host h1, interface te0: after %s -K te0 generic-receive-offload on the driver still reports [('generic-receive-offload', False, True)]" % ETHTOOL
    )


@pytest.mark.parametrize(
    "params,message",
    [
        (dict(rings={"rx": 512}), "host h1, interface te0: %s -g te0 failed (rc=1): netlink error: Operation not supported" % ETHTOOL),
        (dict(rings={"rx-big": 512}), "host h1, interface te0: rings.rx-big: unknown ring (use rx, rx-jumbo, rx-mini, tx)"),
        (dict(rings={"rx": "lots"}), "host h1, interface te0: rings.rx='lots' is not an integer"),
        (dict(features={"gro": "maybe"}), "The value 'maybe' is not a valid boolean."),
        (dict(features={"lro": True}), "host h1, interface te0: features.lro=on: the driver fixes it off ([fixed] in ethtool -k)"),
    ],
)
def test_ethtool_errors_before_any_change(kernel_tree, params, message):
    module = FakeModule(ethtool_params(**params), features=recorded("k-veth.txt"))
    with pytest.raises(TuningError) as err:
        manage.ensure_ethtool(module, host(kernel_tree, "veth-4q"))
    assert str(err.value).startswith(message)
    assert module.changes_run() == []


def test_ethtool_unreadable_output(kernel_tree):
    module = FakeModule(ethtool_params(features={"gro": True}), features=recorded("g-veth.stderr.txt"))
    with pytest.raises(TuningError, match=r'host h1, interface te0: cannot read ethtool output: no "name: on\|off" lines'):
        manage.ensure_ethtool(module, host(kernel_tree, "veth-4q"))
