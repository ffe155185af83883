# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real runs of the tuning modules on the host kernel, in a network namespace the test makes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VENV_BIN = os.path.join(REPO, ".venv", "bin")
PLAYBOOK = os.path.join(os.path.dirname(__file__), "tuning_netns.yml")

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and iproute2")


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


@pytest.fixture
def netns():
    tag = uuid.uuid4().hex[:6]
    ns, ifa, ifb = "lvstune-%s" % tag, "lt%sa" % tag, "lt%sb" % tag
    sh("ip", "netns", "add", ns)
    try:
        sh(
            "ip",
            "-n",
            ns,
            "link",
            "add",
            ifa,
            "numtxqueues",
            "4",
            "numrxqueues",
            "4",
            "type",
            "veth",
            "peer",
            "name",
            ifb,
            "numtxqueues",
            "4",
            "numrxqueues",
            "4",
        )
        sh("ip", "-n", ns, "link", "set", ifa, "up")
        sh("ip", "-n", ns, "link", "set", ifb, "up")
        yield ns, ifa
    finally:
        sh("ip", "netns", "del", ns, check=False)


def env():
    out = dict(
        os.environ,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_PYTHON_INTERPRETER=os.path.join(VENV_BIN, "python"),
    )
    out["PATH"] = VENV_BIN + os.pathsep + out.get("PATH", "")
    return out


def playbook(ns, iface, *extra):
    argv = [
        "ip",
        "netns",
        "exec",
        ns,
        os.path.join(VENV_BIN, "ansible-playbook"),
        "-i",
        "localhost,",
        "-e",
        "tuning_test_interface=%s" % iface,
        PLAYBOOK,
    ] + list(extra)
    proc = subprocess.run(argv, cwd=REPO, env=env(), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json_out(proc.stdout)["stats"]["localhost"]


def adhoc(ns, module, args, extra=()):
    argv = ([] if ns is None else ["ip", "netns", "exec", ns]) + [
        os.path.join(VENV_BIN, "ansible"),
        "localhost",
        "-i",
        "localhost,",
        "-c",
        "local",
        "-m",
        module,
        "-a",
        json.dumps(args),
    ]
    proc = subprocess.run(argv + list(extra), cwd=REPO, env=env(), capture_output=True, text=True, check=False)
    result = json_out(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return proc.returncode, result


def queue_files(ns, iface):
    script = 'cd /sys/class/net/%s/queues && for f in rx-*/rps_cpus rx-*/rps_flow_cnt tx-*/xps_cpus; do printf "%%s=%%s\\n" "$f" "$(cat $f)"; done' % iface
    out = sh("ip", "netns", "exec", ns, "sh", "-c", script).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def json_out(stdout):
    """The json callback's document (ansible.cfg's profile_tasks prints a line before it)."""
    start = 0 if stdout.startswith("{") else stdout.index("\n{") + 1
    return json.JSONDecoder().raw_decode(stdout[start:])[0]


def online_cpus():
    with open("/sys/devices/system/cpu/online") as handle:
        return handle.read().strip()


def test_net_queues_for_real(netns):
    ns, iface = netns
    pristine = queue_files(ns, iface)
    assert pristine["rx-0/rps_cpus"].strip("0,") == "" and pristine["rx-0/rps_flow_cnt"] == "0"

    stats = playbook(ns, iface, "--check", "--diff")
    assert stats["changed"] == 1 and stats["failures"] == 0
    assert queue_files(ns, iface) == pristine, "check mode wrote something"

    stats = playbook(ns, iface)
    assert stats["changed"] == 1 and stats["failures"] == 0
    after = queue_files(ns, iface)
    ncpu = os.cpu_count()
    full = "%x" % ((1 << ncpu) - 1)
    for q in range(4):
        assert after["rx-%d/rps_cpus" % q].lstrip("0,") == full
        assert after["rx-%d/rps_flow_cnt" % q] == "4096"
    # every online CPU has a queue, every queue has a CPU; with at least as many CPUs as
    # queues each CPU is on exactly one queue, with fewer (this host: 2) queues share CPUs
    xps = [int(after["tx-%d/xps_cpus" % q].replace(",", ""), 16) for q in range(4)]
    union = 0
    for mask in xps:
        assert mask
        if ncpu >= 4:
            assert mask & union == 0
        union |= mask
    assert union == (1 << ncpu) - 1

    stats = playbook(ns, iface)
    assert stats["changed"] == 0 and stats["failures"] == 0
    assert queue_files(ns, iface) == after


@pytest.mark.parametrize(
    "args,words",
    [
        ({"cpus": "0-4095", "rps": True}, ["cpus='0-4095'", "that do not exist"]),
        ({"cpus": "0x0", "xps": "spread"}, ["cpus='0x0'", "leaves no CPU"]),
        ({"interface": "nosuch0", "rps": True}, ["interface='nosuch0' does not exist"]),
    ],
)
def test_bad_input_fails_before_writing(netns, args, words):
    ns, iface = netns
    pristine = queue_files(ns, iface)
    rc, result = adhoc(ns, "lvs.cluster.net_queues", dict({"interface": iface, "rps_flow_cnt": 2048}, **args))
    assert rc != 0 and result["failed"]
    for word in words + ["host "]:
        assert word in result["msg"]
    if "interface" not in args:
        assert "interface %s" % iface in result["msg"]
    assert queue_files(ns, iface) == pristine


def test_irq_affinity_reads_real_interrupts_check_mode():
    """On the shared host only check mode: /proc/interrupts and /proc/irq are read for real."""
    before = dict((irq, open("/proc/irq/%s/smp_affinity_list" % irq).read()) for irq in os.listdir("/proc/irq") if irq.isdigit())
    found = {}
    for iface in sorted(os.listdir("/sys/class/net")):
        rc, result = adhoc(None, "lvs.cluster.irq_affinity", {"interface": iface, "cpus": "local", "allow_no_irqs": True}, ["--check"])
        assert rc == 0, result
        assert result["cpus"] and result["cpus_from"]
        found[iface] = result["irqs"]
        for setting in result["settings"]:
            assert setting["path"].startswith("/proc/irq/")
    after = dict((irq, open("/proc/irq/%s/smp_affinity_list" % irq).read()) for irq in before)
    assert after == before, "check mode changed an IRQ affinity"
    if not any(found.values()):
        pytest.skip("no NIC with queue interrupts on this host (all virtual?): %r" % found)
    assert online_cpus()


def ethtool_k(ns, iface):
    out = sh("ip", "netns", "exec", ns, "ethtool", "-k", iface).stdout
    return dict(line.strip().split(": ", 1) for line in out.splitlines()[1:] if ": " in line)


@pytest.mark.skipif(not shutil.which("ethtool"), reason="needs ethtool")
def test_ethtool_settings_for_real(netns):
    ns, iface = netns
    before = ethtool_k(ns, iface)
    assert before["generic-receive-offload"] == "off" and before["tcp-segmentation-offload"] == "on"
    args = {"interface": iface, "features": {"gro": True, "tso": False}}

    rc, result = adhoc(ns, "lvs.cluster.ethtool_settings", args, ["--check"])
    assert rc == 0 and result["changed"] and ethtool_k(ns, iface) == before
    assert result["commands"][0].endswith("-K %s generic-receive-offload on tcp-segmentation-offload off" % iface)

    rc, result = adhoc(ns, "lvs.cluster.ethtool_settings", args)
    assert rc == 0 and result["changed"]
    after = ethtool_k(ns, iface)
    assert after["generic-receive-offload"] == "on" and after["tcp-segmentation-offload"] == "off"

    rc, result = adhoc(ns, "lvs.cluster.ethtool_settings", args)
    assert rc == 0 and not result["changed"] and result["commands"] == []

    # a feature the veth driver fixes, and a ring a veth does not have: clear errors, nothing changed
    rc, result = adhoc(ns, "lvs.cluster.ethtool_settings", {"interface": iface, "features": {"gro": False, "lro": True}})
    assert rc != 0 and "interface %s: features.lro=on: the driver fixes it off" % iface in result["msg"]
    rc, result = adhoc(ns, "lvs.cluster.ethtool_settings", {"interface": iface, "rings": {"rx": 512}})
    assert rc != 0 and "interface %s" % iface in result["msg"] and "-g" in result["msg"]
    assert ethtool_k(ns, iface) == after


ROLE_PLAYBOOK = os.path.join(os.path.dirname(__file__), "role_check.yml")
APPLY_SCRIPT = os.path.join(REPO, "roles", "tuning", "files", "usr", "local", "sbin", "lvs-tuning-apply")


def role_check(ns, iface, *extra):
    argv = [
        "ip",
        "netns",
        "exec",
        ns,
        os.path.join(VENV_BIN, "ansible-playbook"),
        "-i",
        "localhost,",
        "--check",
        "--diff",
        "-e",
        "tuning_test_interface=%s" % iface,
        ROLE_PLAYBOOK,
    ] + list(extra)
    proc = subprocess.run(argv, cwd=REPO, env=env(), capture_output=True, text=True, check=False)
    return proc.returncode, json_out(proc.stdout)


def test_role_smp_path_in_check_mode(netns):
    ns, iface = netns
    pristine = queue_files(ns, iface), ethtool_k(ns, iface)
    rc, out = role_check(ns, iface)
    assert rc == 0, json.dumps(out)[-3000:]
    assert out["stats"]["localhost"]["failures"] == 0
    text = json.dumps(out)
    full = "%x" % ((1 << os.cpu_count()) - 1)
    # the boot settings the role would write: ethtool first, then the queue files as masks
    assert "ethtool -K %s gro on" % iface in text
    assert "sys /sys/class/net/%s/queues/rx-0/rps_cpus %s" % (iface, full) in text
    assert "sys /sys/class/net/%s/queues/rx-3/rps_flow_cnt 4096" % iface in text
    assert "uniprocessor kernel (online CPUs" not in text
    assert (queue_files(ns, iface), ethtool_k(ns, iface)) == pristine, "check mode changed the veth"
    assert not os.path.exists("/etc/lvs-tuning"), "check mode wrote the settings file"


def test_role_bad_cpus_fail_in_preflight(netns):
    ns, iface = netns
    rc, out = role_check(ns, iface, "-e", "tuning_test_cpus=0-4095")
    assert rc != 0
    names = [task["task"]["name"] for task in out["plays"][0]["tasks"]]
    failed = [t for t in out["plays"][0]["tasks"] if t["hosts"]["localhost"].get("failed")]
    assert failed and "Validate interfaces and CPU lists" in failed[0]["task"]["name"]
    assert "cpus='0-4095' names CPUs" in json.dumps(failed[0]) and "interface %s" % iface in json.dumps(failed[0])
    assert not any("Set socket and backlog sysctls" in n for n in names), "a changing task ran before the failure"


def test_boot_script_applies_queue_and_ethtool_lines(netns, tmp_path):
    ns, iface = netns
    conf = tmp_path / "settings.conf"
    conf.write_text(
        "# test\n"
        "ethtool -K %s gro on\n"
        "sys /sys/class/net/%s/queues/rx-1/rps_cpus 1\n"
        "sys /sys/class/net/%s/queues/rx-1/rps_flow_cnt 256\n" % (iface, iface, iface)
    )
    proc = sh("ip", "netns", "exec", ns, "sh", APPLY_SCRIPT, str(conf), check=False)
    assert proc.returncode == 0, proc.stderr
    files = queue_files(ns, iface)
    assert files["rx-1/rps_cpus"].lstrip("0,") == "1" and files["rx-1/rps_flow_cnt"] == "256"
    assert ethtool_k(ns, iface)["generic-receive-offload"] == "on"
    # an interrupt that is not there and a path outside the queue directories: logged, exit 1, the rest applied
    conf.write_text("irq no-such-irq-name 0\nsys /proc/sys/net/core/somaxconn 1\nsys /sys/class/net/%s/queues/rx-2/rps_cpus 1\n" % iface)
    proc = sh("ip", "netns", "exec", ns, "sh", APPLY_SCRIPT, str(conf), check=False)
    assert proc.returncode == 1
    assert "no interrupt named no-such-irq-name" in proc.stderr and "refusing /proc/sys/net/core/somaxconn" in proc.stderr
    assert queue_files(ns, iface)["rx-2/rps_cpus"].lstrip("0,") == "1"
