# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The irq_affinity, net_queues and ethtool_settings modules end to end (argument spec, check mode,
diff, errors, manage.run's exit and failure) on copies of kernel trees recorded from a real host
(see ../module_utils/tuning/fixtures) and a fake ethtool answering with recorded output."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lvs.cluster.plugins.modules import ethtool_settings, irq_affinity, net_queues
from ansible_collections.lvs.cluster.plugins.module_utils.tuning import manage
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.sysfs import HostView, KernelFS
from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.tuning.tests_tuning_data import ETHTOOL, FakeEthtool, recorded

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "module_utils", "tuning"))
from kerneltree import materialise  # noqa: E402  pylint: disable=wrong-import-position


def run_module(module, tree, args, monkeypatch, capsys, check=False, diff=False):
    monkeypatch.setattr(manage, "local_host", lambda: HostView(KernelFS(tree), "director1"))
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def test_net_queues_check_diff_apply_idempotent(tmp_path, monkeypatch, capsys):
    tree = materialise("veth-4q", tmp_path)
    args = dict(interface="tvq0", cpus="all", rps=True, rps_flow_cnt=4096, xps="spread")
    rps0 = os.path.join(tree, "sys/class/net/tvq0/queues/rx-0/rps_cpus")
    checked = run_module(net_queues, tree, args, monkeypatch, capsys, check=True, diff=True)
    assert checked["changed"] is True
    assert "/sys/class/net/tvq0/queues/tx-1/xps_cpus: 1" in checked["diff"]["after"]
    assert open(rps0).read().strip() == "0"  # check mode wrote nothing
    applied = run_module(net_queues, tree, args, monkeypatch, capsys)
    assert applied["changed"] is True and applied["rx_queues"] == 4
    assert open(rps0).read().strip() == "3"
    again = run_module(net_queues, tree, args, monkeypatch, capsys, diff=True)
    assert again["changed"] is False and "diff" not in again


def test_net_queues_requires_something_to_do(tmp_path, monkeypatch, capsys):
    tree = materialise("veth-4q", tmp_path)
    result = run_module(net_queues, tree, dict(interface="tvq0"), monkeypatch, capsys)
    assert result["failed"] and "rps, rps_flow_cnt, xps" in result["msg"]


@pytest.mark.parametrize(
    "args,message",
    [
        (dict(interface="tvq9", rps=True), "host director1: interface='tvq9' does not exist"),
        (dict(interface="tvq0", cpus="0-3", rps=True), "host director1, interface tvq0: cpus='0-3' names CPUs 2-3 that do not exist"),
        (dict(interface="tvq0", cpus="0x0", xps="spread"), "host director1, interface tvq0: cpus='0x0' leaves no CPU"),
    ],
)
def test_net_queues_bad_input_fails_before_writing(tmp_path, monkeypatch, capsys, args, message):
    tree = materialise("veth-4q", tmp_path)
    result = run_module(net_queues, tree, dict(args, rps_flow_cnt=1024), monkeypatch, capsys)
    assert result["failed"] and message in result["msg"]
    assert open(os.path.join(tree, "sys/class/net/tvq0/queues/rx-0/rps_flow_cnt")).read().strip() == "0"


def test_irq_affinity_recorded_host(tmp_path, monkeypatch, capsys):
    tree = materialise("host-2cpu", tmp_path)
    args = dict(interface="eth0", cpus="1")
    checked = run_module(irq_affinity, tree, args, monkeypatch, capsys, check=True, diff=True)
    assert checked["changed"] and checked["irqs"] == [38, 39]
    assert checked["diff"]["before"] == "/proc/irq/38/smp_affinity_list: 0-1\n/proc/irq/39/smp_affinity_list: 0-1\n"
    assert open(os.path.join(tree, "proc/irq/38/smp_affinity_list")).read().strip() == "0-1"
    run_module(irq_affinity, tree, args, monkeypatch, capsys)
    assert open(os.path.join(tree, "proc/irq/39/smp_affinity_list")).read().strip() == "1"
    assert run_module(irq_affinity, tree, args, monkeypatch, capsys)["changed"] is False


def test_irq_affinity_errors(tmp_path, monkeypatch, capsys):
    tree = materialise("numa-40cpu", tmp_path)
    result = run_module(irq_affinity, tree, dict(interface="ens1f0np0", cpus="39"), monkeypatch, capsys)
    assert result["failed"] and "host director1, interface ens1f0np0: cpus='39' leaves no online CPU" in result["msg"]
    result = run_module(irq_affinity, tree, dict(interface="ens1f0np0", cpus="10-17", strategy="all"), monkeypatch, capsys)
    assert result["changed"] and result["cpus"] == "10-17" and result["cpus_from"] == "the cpus option"


def run_ethtool_module(fake, args, monkeypatch, capsys, check=False, diff=False):
    """ethtool_settings.main() with ``args``; ethtool is ``fake`` (a FakeEthtool on recorded output)."""
    monkeypatch.setattr(manage.socket, "gethostname", lambda: "director1")
    monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: ETHTOOL)
    monkeypatch.setattr(AnsibleModule, "run_command", lambda self, argv, **kwargs: fake.run_command(argv))
    with patch_module_args(dict(args, _ansible_check_mode=check, _ansible_diff=diff)):
        with pytest.raises(SystemExit):
            ethtool_settings.main()
    return json.loads(capsys.readouterr().out)


def test_ethtool_settings_check_apply_idempotent(monkeypatch, capsys):
    fake = FakeEthtool(features=recorded("k-veth.txt"))
    args = dict(interface="te0", features={"gro": "yes", "tso": False})
    checked = run_ethtool_module(fake, args, monkeypatch, capsys, check=True, diff=True)
    assert checked["changed"] is True and fake.changes_run() == []
    assert checked["commands"] == [ETHTOOL + " -K te0 generic-receive-offload on tcp-segmentation-offload off"]
    assert checked["diff"]["after"] == "feature generic-receive-offload: on\nfeature tcp-segmentation-offload: off\n"
    applied = run_ethtool_module(fake, args, monkeypatch, capsys)
    assert applied["changed"] is True and applied["features"] == {"generic-receive-offload": True, "tcp-segmentation-offload": False}
    assert len(fake.changes_run()) == 1
    again = run_ethtool_module(fake, args, monkeypatch, capsys)
    assert again["changed"] is False and again["commands"] == [] and len(fake.changes_run()) == 1


def test_ethtool_settings_errors(monkeypatch, capsys):
    result = run_ethtool_module(FakeEthtool(features=recorded("k-veth.txt")), dict(interface="te0"), monkeypatch, capsys)
    assert result["failed"] and "features, rings" in result["msg"]
    result = run_ethtool_module(FakeEthtool(features=recorded("k-veth.txt")), dict(interface="te0", rings={"rx": 512}), monkeypatch, capsys)
    assert result["failed"] and result["msg"].startswith("host director1, interface te0: %s -g te0 failed (rc=1)" % ETHTOOL)
