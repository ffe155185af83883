# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base root every guest boots from: Debian 12 made by debootstrap, built once and cached.

The cache directory is named by a hash of the package list (packages.txt), the version of
this build code and the UML kernel version, so changing any of them builds a new base while
guests of running topologies keep the old one as their overlay lower layer.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import shutil
import time

from .errors import LabError
from .util import log, run

# Bump when the post-configuration below changes: it is part of the image hash.
IMAGE_CODE_VERSION = "4"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
CACHE_DIR = os.environ.get("LVSLAB_CACHE", "/var/cache/lvslab")
UML_MODULES = "/usr/lib/uml/modules"
PACKAGES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "packages.txt")


def read_packages(path: str = PACKAGES_FILE):
    pkgs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                pkgs.append(line)
    return pkgs


def uml_kernel_version(modules_dir: str = UML_MODULES) -> str:
    """The version directory of the UML kernel's modules (e.g. 6.1.176)."""
    try:
        versions = sorted(d for d in os.listdir(modules_dir) if os.path.isdir(os.path.join(modules_dir, d)))
    except FileNotFoundError:
        versions = []
    if not versions:
        raise LabError("no UML kernel modules under %s: install the Debian package user-mode-linux (apt-get install user-mode-linux)" % modules_dir)
    return versions[-1]


def image_hash(packages, kernel_version: str, code_version: str = IMAGE_CODE_VERSION) -> str:
    digest = hashlib.sha256()
    digest.update(("\n".join(packages) + "\n").encode())
    digest.update(("code=%s\nkernel=%s\nsuite=%s\n" % (code_version, kernel_version, SUITE)).encode())
    return digest.hexdigest()[:12]


def image_dir(cache_dir: str = CACHE_DIR) -> str:
    """Directory of the base image for the current package list (it may not be built yet)."""
    return os.path.join(cache_dir, "base-" + image_hash(read_packages(), uml_kernel_version()))


def is_built(cache_dir: str = CACHE_DIR) -> bool:
    return os.path.exists(os.path.join(image_dir(cache_dir), "manifest.json"))


def mounts_under(path: str):
    """Mount points at or below path, deepest first (from /proc/self/mounts)."""
    path = os.path.realpath(path)
    found = []
    with open("/proc/self/mounts", encoding="utf-8") as fh:
        for line in fh:
            mnt = line.split()[1].encode().decode("unicode_escape")
            if mnt == path or mnt.startswith(path + "/"):
                found.append(mnt)
    return sorted(found, key=len, reverse=True)


def safe_rmtree(path: str) -> None:
    """Unmount anything mounted below path, then delete it without crossing file systems."""
    if not os.path.lexists(path):
        return
    for mnt in mounts_under(path):
        run(["umount", "-l", mnt], check=False)
    left = mounts_under(path)
    if left:
        raise LabError("refusing to delete %s: still mounted: %s" % (path, ", ".join(left)))
    run(["rm", "-rf", "--one-file-system", path])


def _chroot(root, *argv):
    return run(["chroot", root] + list(argv), env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"})


def _write(root, rel, text, mode=0o644):
    path = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, mode)


def post_configure(root: str, kernel_version: str) -> None:
    """Make a debootstrapped root bootable as a UML guest with systemd, networkd and sshd."""
    dest = os.path.join(root, "usr/lib/modules", kernel_version)
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(os.path.join(UML_MODULES, kernel_version), dest, symlinks=True)
    _chroot(root, "depmod", "-a", kernel_version)
    _write(root, "/etc/fstab", "# The root is the host directory given by rootflags= (hostfs); nothing else to mount.\n")
    _write(root, "/etc/systemd/journald.conf.d/lvslab.conf", "[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n")
    _write(root, "/etc/ssh/sshd_config.d/lvslab.conf", "PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n")
    # Wait for any one interface, briefly: a data link cut by a fault must not hold boot for 2 minutes.
    _write(
        root,
        "/etc/systemd/system/systemd-networkd-wait-online.service.d/lvslab.conf",
        "[Service]\nExecStart=\nExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=10\n",
    )
    _write(root, "/etc/machine-id", "")
    if os.path.exists(os.path.join(root, "var/lib/dbus/machine-id")):
        os.remove(os.path.join(root, "var/lib/dbus/machine-id"))
    _chroot(root, "systemctl", "enable", "systemd-networkd.service")
    _chroot(root, "systemctl", "set-default", "multi-user.target")
    # Installed for lvs.cluster.monitoring, which enables it where it runs: idle elsewhere.
    _chroot(root, "systemctl", "disable", "prometheus-node-exporter.service")
    # No terminals on a UML console we only log, and no periodic jobs that compete for the CPU.
    _chroot(
        root,
        "systemctl",
        "mask",
        "getty@.service",
        "serial-getty@.service",
        "console-getty.service",
        "apt-daily.timer",
        "apt-daily-upgrade.timer",
        "e2scrub_all.timer",
        "e2scrub_reap.service",
        "fstrim.timer",
        "man-db.timer",
        "systemd-networkd-wait-online.service",
    )
    _chroot(root, "apt-get", "clean")


def build(force: bool = False, mirror: str | None = None, cache_dir: str = CACHE_DIR) -> str:
    """Build the base image unless the current one exists; return its root. Safe to call concurrently."""
    packages = read_packages()
    kver = uml_kernel_version()
    final = os.path.join(cache_dir, "base-" + image_hash(packages, kver))
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, ".build.lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(final, "manifest.json")) and not force:
            return os.path.join(final, "root")
        tmp = final + ".tmp"
        safe_rmtree(tmp)
        debs = os.path.join(cache_dir, "debs")
        os.makedirs(debs, exist_ok=True)
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        mirror = mirror or os.environ.get("LVSLAB_MIRROR") or DEFAULT_MIRROR
        log("building the base image %s (debootstrap %s, %d packages; about a minute)" % (final, SUITE, len(packages)))
        start = time.monotonic()
        try:
            proc = run(["debootstrap", "--variant=minbase", "--include=" + ",".join(packages), "--cache-dir=" + debs, SUITE, root, mirror], check=False)
            if proc.returncode != 0:
                tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
                logs = glob.glob(os.path.join(root, "debootstrap", "debootstrap.log"))
                raise LabError(
                    "debootstrap of %s from %s failed (rc=%d); check that the mirror is reachable "
                    "(set LVSLAB_MIRROR to another one)%s:\n%s" % (SUITE, mirror, proc.returncode, (", log: " + logs[0]) if logs else "", tail)
                )
            boot = time.monotonic()
            post_configure(root, kver)
            manifest = {
                "packages": packages,
                "kernel": kver,
                "suite": SUITE,
                "mirror": mirror,
                "code_version": IMAGE_CODE_VERSION,
                "debootstrap_seconds": round(boot - start, 1),
                "total_seconds": round(time.monotonic() - start, 1),
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            with open(os.path.join(tmp, "manifest.json"), "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, indent=1)
        except BaseException:
            for mnt in mounts_under(tmp):
                run(["umount", "-l", mnt], check=False)
            raise
        if os.path.exists(final):
            safe_rmtree(final)
        os.rename(tmp, final)
        log("base image built in %.0f s: %s" % (time.monotonic() - start, final))
        return os.path.join(final, "root")


def manifest(cache_dir: str = CACHE_DIR):
    path = os.path.join(image_dir(cache_dir), "manifest.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def in_use(cache_dir: str = CACHE_DIR):
    """Image directories that are a lower layer of a mounted overlay (a running topology)."""
    used = set()
    with open("/proc/self/mounts", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if parts[2] != "overlay":
                continue
            for opt in parts[3].split(","):
                if opt.startswith("lowerdir="):
                    for lower in opt[len("lowerdir=") :].split(":"):
                        if lower.startswith(cache_dir + "/base-"):
                            used.add(os.path.dirname(lower))
    return used


def prune(cache_dir: str = CACHE_DIR):
    """Delete base images other than the current one that no running topology uses; return them."""
    current = image_dir(cache_dir)
    busy = in_use(cache_dir)
    removed = []
    for path in sorted(glob.glob(os.path.join(cache_dir, "base-*"))):
        if path != current and path not in busy and not path.endswith(".tmp"):
            safe_rmtree(path)
            removed.append(path)
    return removed
