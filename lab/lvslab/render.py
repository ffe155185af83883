# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure renderers: the Ansible inventory, guest config files and the UML command line."""

from __future__ import annotations

import hashlib
import os

import yaml

STATE_ROOT = os.environ.get("LVSLAB_STATE", "/var/lib/lvslab")
REBOOT_MARKER = "/var/lib/lvslab/reboot-requested"  # inside the guest


def state_dir(topo) -> str:
    return os.path.join(STATE_ROOT, topo.name)


def key_path(topo) -> str:
    return os.path.join(state_dir(topo), "id_ed25519")


def inventory_path(topo) -> str:
    return os.path.join(state_dir(topo), "inventory.yml")


def proxy_command(topo) -> str:
    """ssh ProxyCommand that reaches a guest's mgmt address from inside the lab namespace."""
    return "nsenter --net=/run/netns/%s socat - TCP:%%h:%%p" % topo.namespace


def ssh_options(topo):
    """ssh -o options shared by the CLI and the inventory (lab only: host keys are not checked)."""
    return [
        "ProxyCommand=" + proxy_command(topo),
        "StrictHostKeyChecking=no",
        "UserKnownHostsFile=/dev/null",
        "LogLevel=ERROR",
        "ConnectTimeout=10",
        "ServerAliveInterval=5",
        "ServerAliveCountMax=6",
    ]


def ssh_argv(topo, guest, command=None, tty=False, extra_options=()):
    argv = ["ssh", "-i", key_path(topo), "-o", "BatchMode=yes", "-o", "ControlMaster=no"]
    for opt in extra_options:  # ssh keeps the first value of an option: these win
        argv += ["-o", opt]
    for opt in ssh_options(topo):
        argv += ["-o", opt]
    if tty:
        argv.append("-t")
    argv.append("root@%s" % guest.mgmt.address.ip)
    if command:
        argv += ["--"] + list(command)
    return argv


def host_vars(topo, guest):
    common_args = " ".join("-o '%s'" % opt if " " in opt else "-o %s" % opt for opt in ssh_options(topo))
    return {
        "ansible_host": str(guest.mgmt.address.ip),
        "ansible_user": "root",
        "ansible_ssh_private_key_file": key_path(topo),
        "ansible_ssh_common_args": common_args,
        # Addresses repeat across topologies: keep ssh control sockets per topology.
        "ansible_control_path_dir": os.path.join(state_dir(topo), "cp"),
        "ansible_python_interpreter": "/usr/bin/python3",
        "lab_topology": topo.name,
        "lab_namespace": topo.namespace,
        "lab_mgmt": {"name": guest.mgmt.name, "address": str(guest.mgmt.address.ip), "prefix": guest.mgmt.address.network.prefixlen, "mac": guest.mgmt.mac},
        "lab_interfaces": {
            iface.network.name: {
                "name": iface.name,
                "address": str(iface.address.ip),
                "prefix": iface.address.network.prefixlen,
                "cidr": str(iface.address),
                "mac": iface.mac,
            }
            for iface in guest.interfaces[1:]
        },
    }


def inventory(topo):
    """The Ansible inventory (YAML structure) of a topology's guests."""
    children = {}
    for group, hosts in topo.groups().items():
        children[group] = {"hosts": {h: None for h in hosts}}
    clients = {net.name: str(net.client) for net in topo.networks if net.client is not None}
    inv = {
        "all": {
            "hosts": {guest.name: host_vars(topo, guest) for guest in topo.guests},
            "vars": {
                "lab_clients": clients,
                "lab_networks": {net.name: {"subnet": str(net.subnet), "interface": net.guest_ifname} for net in topo.all_networks},
                # The guests' UML kernel has no nf_tables ip/ip6/inet families, so the director's packet
                # filter cannot load in the lab; tests/integration/host proves it on the host's kernel.
                "director_vrrp_filter": False,
            },
        }
    }
    if children:
        inv["all"]["children"] = children
    return inv


def inventory_yaml(topo) -> str:
    head = "# Written by lvslab for topology %s (%s); regenerated on every 'up'.\n" % (topo.name, topo.path)
    return head + yaml.safe_dump(inventory(topo), default_flow_style=False, sort_keys=False)


def machine_id(topo, guest) -> str:
    return hashlib.sha256(("%s/%s" % (topo.name, guest.name)).encode()).hexdigest()[:32]


def guest_files(topo, guest, pubkey: str):
    """{path inside the guest: (content, mode)} written into the guest's upper layer before boot."""
    files = {
        "/etc/hostname": (guest.name + "\n", 0o644),
        "/etc/hosts": ("127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost ip6-localhost ip6-loopback\n" % guest.name, 0o644),
        "/etc/machine-id": (machine_id(topo, guest) + "\n", 0o444),
        "/root/.ssh/authorized_keys": (pubkey.strip() + "\n", 0o600),
    }
    # A guest's reboot becomes a power-off plus a marker; the supervisor boots it again (see supervise.py).
    files["/etc/systemd/system/systemd-reboot.service.d/lvslab.conf"] = (
        "# lvslab: UML cannot re-open its taps after re-executing itself on reboot.\n"
        "[Unit]\nSuccessAction=poweroff-force\n\n[Service]\nType=oneshot\n"
        "ExecStart=/bin/sh -c 'mkdir -p /var/lib/lvslab && echo reboot > %s && sync'\n" % REBOOT_MARKER,
        0o644,
    )
    for iface in guest.interfaces:
        net = iface.network
        text = (
            "# lvslab: %s segment %s (%s)\n[Match]\nMACAddress=%s\n\n[Link]\nRequiredForOnline=%s\n\n"
            "[Network]\nAddress=%s\nLinkLocalAddressing=no\nIPv6AcceptRA=no\nConfigureWithoutCarrier=yes\n"
            % (topo.name, net.name, iface.name, iface.mac, "yes" if net.index == 0 else "no", iface.address)
        )
        files["/etc/systemd/network/%02d-%s.network" % (10 + net.index, iface.name)] = (text, 0o644)
    return files


def uml_argv(topo, guest, root: str, uml_dir: str, kernel: str = "linux.uml"):
    """The guest's kernel command line. UML names each interface vecN after its vecN= parameter."""
    argv = [
        kernel,
        "mem=%dM" % guest.memory,
        "umid=%s" % guest.name,
        "uml_dir=%s" % uml_dir,
        "root=/dev/root",
        "rootfstype=hostfs",
        "rootflags=%s" % root,
        "rw",
        "init=/lib/systemd/systemd",
        "con=null",
        "con0=null,fd:1",
        "ssl=null",
    ]
    for iface in guest.interfaces:
        argv.append("%s:transport=tap,ifname=%s,mac=%s" % (iface.name, iface.tap, iface.mac))
    return argv
