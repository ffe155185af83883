# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read and write the kernel's /proc and /sys files that the tuning modules manage.

Everything goes through one object rooted at ``/`` so that unit tests run the same
code on trees recorded from real hosts (a subclass there resolves recorded symlinks).
"""

from __future__ import annotations

import errno
import os
import re

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.cpus import parse_cpulist
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError, TuningWriteError

_PCI_SLOT = re.compile(r"^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
_IFNAME = re.compile(r"^[^/\s]{1,15}$")


class KernelFS(object):
    """Access to /proc and /sys below ``root`` (``/`` on a real host)."""

    def __init__(self, root="/"):
        self.root = root

    def path(self, vpath):
        return os.path.join(self.root, vpath.lstrip("/"))

    def exists(self, vpath):
        return os.path.exists(self.path(vpath))

    def isdir(self, vpath):
        return os.path.isdir(self.path(vpath))

    def listdir(self, vpath):
        return sorted(os.listdir(self.path(vpath)))

    def realpath(self, vpath):
        """The resolved path, as a path of the kernel tree (starting with /)."""
        real = os.path.realpath(self.path(vpath))
        root = os.path.realpath(self.root)
        rel = os.path.relpath(real, root)
        return "/" + rel if rel != "." else "/"

    def read(self, vpath):
        with open(self.path(vpath)) as handle:
            return handle.read().strip()

    def read_optional(self, vpath):
        """The file's content, or None when it does not exist or the kernel says ENOENT on read."""
        try:
            return self.read(vpath)
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise

    def write(self, vpath, value):
        with open(self.path(vpath), "w") as handle:
            handle.write(value + "\n")


class HostView(object):
    """What the tuning planners need to know about one host, read lazily from a KernelFS."""

    def __init__(self, fs, hostname):
        self.fs = fs
        self.hostname = hostname
        self._cache = {}

    def _cpulist_file(self, vpath):
        if vpath not in self._cache:
            text = self.fs.read_optional(vpath)
            self._cache[vpath] = None if text is None else parse_cpulist(text)
        return self._cache[vpath]

    @property
    def online(self):
        cpus = self._cpulist_file("/sys/devices/system/cpu/online")
        return cpus if cpus is not None else frozenset([0])

    @property
    def possible(self):
        cpus = self._cpulist_file("/sys/devices/system/cpu/possible")
        return cpus if cpus is not None else self.online

    @property
    def nr_cpu_ids(self):
        return max(self.possible) + 1

    def node_cpus(self, node):
        return self._cpulist_file("/sys/devices/system/node/node%d/cpulist" % node)

    # interfaces -------------------------------------------------------

    def net_dir(self, ifname):
        if not _IFNAME.match(ifname or ""):
            raise TuningError("host %s: interface=%r is not a valid interface name" % (self.hostname, ifname))
        vpath = "/sys/class/net/%s" % ifname
        if not self.fs.isdir(vpath):
            names = ", ".join(self.fs.listdir("/sys/class/net")) if self.fs.isdir("/sys/class/net") else "none"
            raise TuningError("host %s: interface=%r does not exist (interfaces here: %s)" % (self.hostname, ifname, names))
        return vpath

    def queues(self, ifname):
        """(rx queue indexes, tx queue indexes) of an interface."""
        qdir = self.net_dir(ifname) + "/queues"
        rx, tx = [], []
        if self.fs.isdir(qdir):
            for entry in self.fs.listdir(qdir):
                kind, _sep, index = entry.partition("-")
                if index.isdigit() and kind in ("rx", "tx"):
                    (rx if kind == "rx" else tx).append(int(index))
        return sorted(rx), sorted(tx)

    def device(self, ifname):
        """Facts about the hardware behind an interface (empty for virtual devices).

        Walks from the device up the /sys/devices tree, because numa_node, local_cpulist
        and msi_irqs live on the PCI function, not on e.g. its virtio child.
        """
        info = {"path": None, "names": [], "pci_slots": [], "numa_node": None, "local_cpus": None, "msi_irqs": None}
        link = self.net_dir(ifname) + "/device"
        if not self.fs.exists(link):
            return info
        current = self.fs.realpath(link)
        info["path"] = current
        while current.startswith("/sys/devices/") and current.count("/") > 3:
            base = os.path.basename(current)
            info["names"].append(base)
            if _PCI_SLOT.match(base):
                info["pci_slots"].append(base)
            if info["numa_node"] is None:
                node = self.fs.read_optional(current + "/numa_node")
                if node is not None and node.lstrip("-").isdigit():
                    info["numa_node"] = int(node)
            if info["local_cpus"] is None:
                local = self.fs.read_optional(current + "/local_cpulist")
                if local is not None:
                    info["local_cpus"] = parse_cpulist(local)
                    info["local_from"] = current
            if info["msi_irqs"] is None and self.fs.isdir(current + "/msi_irqs"):
                info["msi_irqs"] = frozenset(int(n) for n in self.fs.listdir(current + "/msi_irqs") if n.isdigit())
            current = os.path.dirname(current)
        return info

    def local_cpus(self, ifname):
        """(online CPUs local to the interface's NUMA node, how they were found)."""
        info = self.device(ifname)
        online = self.online
        if info["local_cpus"] is not None and info["local_cpus"] & online:
            return info["local_cpus"] & online, "local_cpulist of %s" % info["local_from"]
        if info["numa_node"] is not None and info["numa_node"] >= 0:
            node = self.node_cpus(info["numa_node"])
            if node and node & online:
                return node & online, "NUMA node %d" % info["numa_node"]
        return online, "all online CPUs (no NUMA locality known for %s)" % ifname


def write_checked(fs, hostname, vpath, value):
    """Write one value, turning the kernel's refusal into an error naming host, file and value."""
    try:
        fs.write(vpath, value)
    except (IOError, OSError) as exc:
        raise TuningWriteError("host %s: writing %r to %s failed: %s" % (hostname, value, vpath, os.strerror(exc.errno) if exc.errno else exc))
