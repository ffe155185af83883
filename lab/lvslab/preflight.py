# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host checks run before anything is started; each problem says what to install or fix."""

from __future__ import annotations

import os
import shutil
import stat

from .errors import PreflightError

# tool -> Debian package that provides it
TOOLS = {
    "linux.uml": "user-mode-linux",
    "ip": "iproute2",
    "nsenter": "util-linux",
    "ethtool": "ethtool",
    "socat": "socat",
    "ssh": "openssh-client",
    "ssh-keygen": "openssh-client",
    "mount": "mount",
    "gcc": "gcc",  # builds the ptrace shim (xstate_preload.c) once
}
IMAGE_TOOLS = {"debootstrap": "debootstrap", "chroot": "coreutils"}


class HostProbe:
    """What preflight looks at; replaced by a fake in unit tests."""

    def euid(self) -> int:
        return os.geteuid()

    def which(self, tool: str):
        return shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")

    def is_chardev(self, path: str) -> bool:
        try:
            return stat.S_ISCHR(os.stat(path).st_mode)
        except OSError:
            return False

    def filesystems(self) -> str:
        try:
            with open("/proc/filesystems", encoding="utf-8") as fh:
                return fh.read()
        except OSError:
            return ""

    def shm_free_mib(self) -> int:
        try:
            st = os.statvfs("/dev/shm")
        except OSError:
            return 0
        return st.f_bavail * st.f_frsize // (1024 * 1024)

    def uml_modules(self) -> bool:
        try:
            return bool(os.listdir("/usr/lib/uml/modules"))
        except OSError:
            return False


def check_host(topo=None, need_image_build: bool = False, probe: HostProbe | None = None):
    """Return the list of problems (empty when the host is ready)."""
    probe = probe or HostProbe()
    problems = []
    if probe.euid() != 0:
        problems.append("not running as root: the lab creates network namespaces, taps and mounts; run it as root (sudo)")
    if not probe.is_chardev("/dev/net/tun"):
        problems.append("/dev/net/tun is missing: load the tun module (modprobe tun) or create the device (mkdir -p /dev/net && mknod /dev/net/tun c 10 200)")
    tools = dict(TOOLS)
    if need_image_build:
        tools.update(IMAGE_TOOLS)
    missing = {}
    for tool, package in tools.items():
        if not probe.which(tool):
            missing.setdefault(package, []).append(tool)
    for package, names in sorted(missing.items()):
        problems.append("%s not found: install it with apt-get install %s" % (", ".join(names), package))
    if "linux.uml" not in sum(missing.values(), []) and not probe.uml_modules():
        problems.append("/usr/lib/uml/modules/<version> is missing: reinstall the UML kernel (apt-get install --reinstall user-mode-linux)")
    if "overlay" not in probe.filesystems():
        problems.append("the kernel has no overlay file system: load it (modprobe overlay)")
    if topo is not None:
        need = sum(g.memory for g in topo.guests)
        free = probe.shm_free_mib()
        if free < need:
            problems.append(
                "/dev/shm has %d MiB free but the guests of %s need %d MiB (UML keeps guest memory there): "
                "remount it larger (mount -o remount,size=%dM /dev/shm) or lower 'memory' in the topology" % (free, topo.name, need, need + 512)
            )
    return problems


def require(topo=None, need_image_build: bool = False, probe: HostProbe | None = None) -> None:
    problems = check_host(topo, need_image_build, probe)
    if problems:
        raise PreflightError(problems)
