# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Guests: per-guest overlay disk, the UML process (own process group) and its signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from . import image, render, xstate
from .errors import LabError
from .image import mounts_under, safe_rmtree
from .util import in_netns, run


class GuestPaths:
    def __init__(self, topo, guest):
        self.base = os.path.join(render.state_dir(topo), "guests", guest.name)
        self.upper = os.path.join(self.base, "upper")
        self.work = os.path.join(self.base, "work")
        self.root = os.path.join(self.base, "root")
        self.console = os.path.join(self.base, "console.log")
        self.pidfile = os.path.join(self.base, "pid")
        self.uml_dir = os.path.join(render.state_dir(topo), "uml")


def is_mounted(path: str) -> bool:
    return os.path.realpath(path) in mounts_under(path)


def mount_disk(topo, guest, lower: str) -> None:
    paths = GuestPaths(topo, guest)
    for d in (paths.upper, paths.work, paths.root, paths.uml_dir):
        os.makedirs(d, exist_ok=True)
    if not is_mounted(paths.root):
        run(
            [
                "mount",
                "-t",
                "overlay",
                "overlay-lvslab-%s-%s" % (topo.name, guest.name),
                "-o",
                "lowerdir=%s,upperdir=%s,workdir=%s" % (lower, paths.upper, paths.work),
                paths.root,
            ]
        )


def write_config(topo, guest, pubkey: str) -> None:
    """Write hostname, networkd units and root's key into the guest's disk (through the overlay)."""
    paths = GuestPaths(topo, guest)
    old_net = os.path.join(paths.root, "etc/systemd/network")
    if os.path.isdir(old_net):
        for entry in os.listdir(old_net):
            if entry.endswith(".network") and entry[:2].isdigit():
                os.remove(os.path.join(old_net, entry))
    for rel, (text, mode) in render.guest_files(topo, guest, pubkey).items():
        path = os.path.join(paths.root, rel.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.chmod(path, 0o600)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(path, mode)
    os.chmod(os.path.join(paths.root, "root/.ssh"), 0o700)


def _marker(topo, guest):
    paths = GuestPaths(topo, guest)
    return ("umid=%s" % guest.name, "uml_dir=%s" % paths.uml_dir)


def _scan_processes(matches):
    """{pid: pgid} of every host process whose argv list satisfies matches(args)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as fh:
                args = fh.read().decode(errors="replace").split("\0")
            if matches(args):
                found[int(entry)] = os.getpgid(int(entry))
        except (OSError, ProcessLookupError):
            continue
    return found


def processes(topo, guest):
    """{pid: pgid} of every host process of this guest (main UML process and its helpers)."""
    want = _marker(topo, guest)
    return _scan_processes(lambda args: all(w in args for w in want))


def main_pid(topo, guest):
    paths = GuestPaths(topo, guest)
    try:
        with open(paths.pidfile, encoding="utf-8") as fh:
            pid = int(fh.read().strip())
    except (OSError, ValueError):
        return None
    return pid if pid in processes(topo, guest) else None


def kernel_pid(topo, guest):
    """Host pid of the running UML kernel (the supervisor's child); a reboot changes it."""
    sup = main_pid(topo, guest)
    if sup is None:
        return None
    for pid in processes(topo, guest):
        try:
            with open("/proc/%d/stat" % pid, encoding="utf-8") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == sup:
            return pid
    return None


def _proc_status(pid):
    """(state letter, tracer pid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line)
    except OSError:
        return None
    return fields.get("State", "?").strip()[:1], int(fields.get("TracerPid", "0").strip() or 0)


def untraced(topo, guest):
    """The guest's processes that are not ptraced: the supervisor, the kernel and its helpers.

    The kernel ptraces one host process per guest address space; signalling those directly
    panics the guest ("Attempted to kill init"), so pause/resume leave them alone.
    """
    out = []
    for pid in processes(topo, guest):
        st = _proc_status(pid)
        if st is not None and st[1] == 0:
            out.append(pid)
    return sorted(out)


def state(topo, guest) -> str:
    pid = main_pid(topo, guest)
    if pid is None:
        return "stopped"
    for other in untraced(topo, guest):
        st = _proc_status(other)
        if other != pid and st and st[0] == "T":
            return "paused"
    return "running"


def start(topo, guest) -> int:
    """Boot the guest in its own session/process group inside the lab namespace; return its pid."""
    paths = GuestPaths(topo, guest)
    if main_pid(topo, guest) is not None:
        return main_pid(topo, guest)
    kill(topo, guest)  # leftovers of an earlier run of this guest, found by their unique arguments
    stale = os.path.join(paths.uml_dir, guest.name)
    if os.path.isdir(stale):
        safe_rmtree(stale)
    marker = os.path.join(paths.root, render.REBOOT_MARKER.lstrip("/"))
    argv = [sys.executable, "-m", "lvslab.supervise", marker, "--"] + in_netns(topo.namespace, render.uml_argv(topo, guest, paths.root, paths.uml_dir))
    with open(paths.console, "ab") as con, open(os.devnull, "rb") as devnull:
        con.write(("\n--- lvslab: boot at %s ---\n" % time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())).encode())
        con.flush()
        # sys.executable finds lvslab as this process did (the venv's install, or an inherited PYTHONPATH).
        env = dict(os.environ, TMPDIR="/dev/shm", LD_PRELOAD=xstate.build(image.CACHE_DIR))
        proc = subprocess.Popen(argv, stdin=devnull, stdout=con, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True, env=env)
    with open(paths.pidfile, "w", encoding="utf-8") as fh:
        fh.write("%d\n" % proc.pid)
    # Until exec, the child's command line is ours; wait for the kernel to be the process.
    deadline = time.monotonic() + 10
    while proc.pid not in processes(topo, guest):
        if proc.poll() is not None:
            raise LabError("guest %s: linux.uml exited at once (rc=%s); console log %s" % (guest.name, proc.returncode, paths.console))
        if time.monotonic() > deadline:
            raise LabError("guest %s: linux.uml did not start within 10 s" % guest.name)
        time.sleep(0.02)
    return proc.pid


def processes_in(uml_dir: str):
    """{pid: pgid} of every guest process of a topology (found by its uml_dir= argument)."""
    want = "uml_dir=%s" % uml_dir
    return _scan_processes(lambda args: want in args)


def signal_groups(groups, sig) -> None:
    for pgid in groups:
        if pgid <= 1:
            continue
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass


def signal_group(topo, guest, sig) -> int:
    """Send sig to every process group of this guest's processes; return how many groups."""
    groups = set(processes(topo, guest).values())
    for pgid in groups:
        if pgid <= 1:
            continue
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
    return len(groups)


def kill(topo, guest, timeout: float = 10.0) -> None:
    """End the guest hard (SIGKILL to its process groups) and wait until nothing of it is left."""
    deadline = time.monotonic() + timeout
    while processes(topo, guest):
        signal_group(topo, guest, signal.SIGCONT)
        signal_group(topo, guest, signal.SIGKILL)
        if time.monotonic() > deadline:
            raise LabError("guest %s: processes %s survive SIGKILL" % (guest.name, sorted(processes(topo, guest))))
        time.sleep(0.1)
    reap()


def reap():
    """Collect exit statuses of guests this process started (no zombies in long-lived callers)."""
    try:
        while True:
            pid = os.waitpid(-1, os.WNOHANG)[0]
            if pid == 0:
                break
    except ChildProcessError:
        pass


def _signal_untraced(topo, guest, sig) -> None:
    pids = untraced(topo, guest)
    if main_pid(topo, guest) is None or not pids:
        raise LabError("guest %s is not running; start it with: lvslab start %s %s" % (guest.name, topo.path, guest.name))
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def pause(topo, guest) -> None:
    """Freeze the guest (SIGSTOP to its kernel and helpers, never to its ptraced processes)."""
    _signal_untraced(topo, guest, signal.SIGSTOP)


def resume(topo, guest) -> None:
    _signal_untraced(topo, guest, signal.SIGCONT)
