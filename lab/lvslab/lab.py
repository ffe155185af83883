# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Lab: bring a topology up and down, run commands in it, inject faults.

from lvslab import Lab
lab = Lab("lab/topologies/lab.yml")
lab.up()
lab.ssh("dir1", ["ipvsadm", "-Ln"])
lab.fault("dir1", "crash"); lab.start("dir1")
lab.down()
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time

from . import guest as guests
from . import image, network, preflight, render, topology
from .errors import LabError
from .util import in_netns, log, run

BOOT_TIMEOUT = int(os.environ.get("LVSLAB_BOOT_TIMEOUT", "240"))
FAULTS = ("crash", "link-down", "link-up", "reboot", "pause", "resume", "start", "stop")


def _tail(path: str, lines: int = 20) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "".join(fh.readlines()[-lines:])
    except OSError:
        return "(no console log)"


class Lab:
    def __init__(self, path: str):
        self.topo = topology.load(path)
        self.state_dir = render.state_dir(self.topo)
        self.state_file = os.path.join(self.state_dir, "state.json")

    # ---- helpers -------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        os.makedirs(render.STATE_ROOT, exist_ok=True)
        with open(os.path.join(render.STATE_ROOT, ".%s.lock" % self.topo.name), "w", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def _read_state(self):
        try:
            with open(self.state_file, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None

    def guest(self, name: str):
        try:
            return self.topo.guest(name)
        except KeyError:
            raise LabError("%s: no guest %r; guests: %s" % (self.topo.path, name, ", ".join(g.name for g in self.topo.guests))) from None

    def _ensure_key(self):
        key = render.key_path(self.topo)
        if not os.path.exists(key):
            os.makedirs(self.state_dir, exist_ok=True)
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lvslab-" + self.topo.name, "-f", key])
        with open(key + ".pub", encoding="utf-8") as fh:
            return fh.read()

    def write_inventory(self) -> str:
        path = render.inventory_path(self.topo)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.makedirs(os.path.join(self.state_dir, "cp"), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(render.inventory_yaml(self.topo))
        os.replace(tmp, path)
        return path

    def _ssh_ok(self, g, command=("true",), timeout=20):
        try:
            proc = subprocess.run(
                render.ssh_argv(self.topo, g, list(command)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                timeout=timeout,
                check=False,
                text=True,
            )
        except subprocess.TimeoutExpired:
            return None
        return proc.stdout if proc.returncode == 0 else None

    def wait_ssh(self, names=None, timeout: float = BOOT_TIMEOUT, probe=("echo", "up")):
        """Wait until every named guest answers `probe` over SSH with "up" (bounded; errors name the console log)."""
        pending = list(names or [g.name for g in self.topo.guests])
        deadline = time.monotonic() + timeout
        while pending:
            procs = {}
            for name in pending:
                g = self.guest(name)
                if guests.main_pid(self.topo, g) is None:
                    console = guests.GuestPaths(self.topo, g).console
                    raise LabError("guest %s exited during boot; console log %s ends with:\n%s" % (name, console, _tail(console)))
                procs[name] = subprocess.Popen(
                    render.ssh_argv(self.topo, g, list(probe), extra_options=["ConnectTimeout=3"]),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
            for name, proc in procs.items():
                try:
                    out = proc.communicate(timeout=15)[0]
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
                    continue
                if proc.returncode == 0 and out.strip() == "up":
                    pending.remove(name)
            if not pending:
                break
            if time.monotonic() > deadline:
                consoles = {n: guests.GuestPaths(self.topo, self.guest(n)).console for n in pending}
                details = "\n".join("  %s: console log %s ends with:\n%s" % (n, path, _tail(path, 8)) for n, path in consoles.items())
                raise LabError(
                    "guests %s did not answer SSH within %ds (raise LVSLAB_BOOT_TIMEOUT on a slow host):\n%s" % (", ".join(pending), timeout, details)
                )
            time.sleep(1)

    # ---- lifecycle -----------------------------------------------------------------------
    def up(self, rebuild_image: bool = False) -> str:
        """Bring the topology up (idempotent); return the inventory path."""
        need_build = rebuild_image or not image.is_built()
        preflight.require(self.topo, need_image_build=need_build)
        with self._locked():
            state = self._read_state()
            if state and state.get("digest") == self.topo.digest and network.exists(self.topo):
                lower = state["lower"]
                dead = [g for g in self.topo.guests if guests.main_pid(self.topo, g) is None]
                if not dead:
                    log("%s is up already (%d guests)" % (self.topo.name, len(self.topo.guests)))
                    self.wait_ssh()
                    return self.write_inventory()
                log("%s is up; starting stopped guests: %s" % (self.topo.name, ", ".join(g.name for g in dead)))
                pubkey = self._ensure_key()
                for g in dead:
                    guests.mount_disk(self.topo, g, lower)
                    guests.write_config(self.topo, g, pubkey)
                    guests.start(self.topo, g)
                self.wait_ssh([g.name for g in dead])
                return self.write_inventory()
            if state or network.exists(self.topo) or os.path.exists(self.state_dir):
                log("cleaning stale or changed state of %s first" % self.topo.name)
                self._teardown()
            lower = image.build(force=rebuild_image)
            start = time.monotonic()
            pubkey = self._ensure_key()
            os.makedirs(self.state_dir, exist_ok=True)
            with open(self.state_file, "w", encoding="utf-8") as fh:
                json.dump(
                    {
                        "digest": self.topo.digest,
                        "lower": lower,
                        "topology": os.path.abspath(self.topo.path),
                        "namespace": self.topo.namespace,
                        "started": time.time(),
                    },
                    fh,
                )
            try:
                network.create(self.topo)
                for g in self.topo.guests:
                    guests.mount_disk(self.topo, g, lower)
                    guests.write_config(self.topo, g, pubkey)
                log("booting %d guests: %s" % (len(self.topo.guests), ", ".join(g.name for g in self.topo.guests)))
                for g in self.topo.guests:
                    guests.start(self.topo, g)
                self.wait_ssh()
            except BaseException:
                saved = self._save_logs()
                log("up failed; console logs saved in %s; tearing %s down (LVSLAB_KEEP_ON_FAILURE=1 keeps it up)" % (saved, self.topo.name))
                if os.environ.get("LVSLAB_KEEP_ON_FAILURE") != "1":
                    self._teardown()
                raise
            path = self.write_inventory()
            log("%s up in %.1f s; inventory: %s" % (self.topo.name, time.monotonic() - start, path))
            return path

    def _save_logs(self) -> str:
        """Copy the guests' console logs out of the state directory (which teardown deletes)."""
        dest = os.path.join(render.STATE_ROOT, ".logs", self.topo.name, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
        os.makedirs(dest, exist_ok=True)
        for g in self.topo.guests:
            src = guests.GuestPaths(self.topo, g).console
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(dest, g.name + ".console.log"))
        return dest

    def _teardown(self, keep_disks: bool = False):
        uml_dir = os.path.join(self.state_dir, "uml")
        deadline = time.monotonic() + 15
        while True:
            procs = guests.processes_in(uml_dir)
            if not procs:
                break
            guests.signal_groups(set(procs.values()), signal.SIGCONT)  # stopped (paused) guests die too
            guests.signal_groups(set(procs.values()), signal.SIGKILL)
            if time.monotonic() > deadline:
                raise LabError("%s: guest processes %s survive SIGKILL" % (self.topo.name, sorted(procs)))
            time.sleep(0.1)
        guests.reap()
        network.delete(self.topo)
        for mnt in image.mounts_under(self.state_dir) if os.path.exists(self.state_dir) else []:
            if run(["umount", mnt], check=False).returncode != 0:
                run(["umount", "-l", mnt], check=False)
        if not keep_disks:
            image.safe_rmtree(self.state_dir)
        elif os.path.exists(self.state_file):
            os.remove(self.state_file)

    def down(self, keep_disks: bool = False) -> None:
        """Stop every guest and remove namespace, taps, mounts (and, unless kept, disks and state)."""
        with self._locked():
            self._teardown(keep_disks)
        log("%s is down" % self.topo.name)

    def status(self):
        out = {
            "name": self.topo.name,
            "namespace": self.topo.namespace,
            "network": network.exists(self.topo),
            "inventory": render.inventory_path(self.topo),
            "guests": {},
        }
        for g in self.topo.guests:
            out["guests"][g.name] = {
                "state": guests.state(self.topo, g),
                "mgmt": str(g.mgmt.address.ip),
                "pid": guests.main_pid(self.topo, g),
                "links": {i.network.name: network.link_state(self.topo, g, i.network.name) if out["network"] else "absent" for i in g.interfaces},
            }
        return out

    # ---- using the lab -------------------------------------------------------------------
    def ssh(self, name: str, command=None, tty=None, capture=False, timeout=None):
        g = self.guest(name)
        if not network.exists(self.topo):
            raise LabError("%s is not up (no namespace %s); run: lvslab up %s" % (self.topo.name, self.topo.namespace, self.topo.path))
        if tty is None:
            tty = not command and os.isatty(0)
        argv = render.ssh_argv(self.topo, g, command, tty=tty)
        if capture:
            return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False)
        return subprocess.run(argv, check=False, timeout=timeout).returncode

    def client(self, command, capture=False, timeout=None):
        """Run a command as the lab's client endpoint (inside the lab namespace)."""
        if not network.exists(self.topo):
            raise LabError("%s is not up (no namespace %s); run: lvslab up %s" % (self.topo.name, self.topo.namespace, self.topo.path))
        argv = in_netns(self.topo.namespace, command)
        if capture:
            return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False)
        return subprocess.run(argv, check=False, timeout=timeout).returncode

    def start(self, name: str) -> None:
        """Boot a stopped or crashed guest again; its disk (upper layer) is kept."""
        g = self.guest(name)
        state = self._read_state()
        if not state or not network.exists(self.topo):
            raise LabError("%s is not up; run: lvslab up %s" % (self.topo.name, self.topo.path))
        if guests.main_pid(self.topo, g) is not None:
            return
        guests.mount_disk(self.topo, g, state["lower"])
        guests.write_config(self.topo, g, self._ensure_key())
        guests.start(self.topo, g)
        self.wait_ssh([name])

    def fault(self, name: str, kind: str, net: str | None = None) -> None:
        g = self.guest(name)
        if kind not in FAULTS:
            raise LabError("unknown fault %r; one of: %s" % (kind, ", ".join(FAULTS)))
        if kind in ("link-down", "link-up"):
            nets = [net] if net else [i.network.name for i in g.interfaces[1:]]
            for n in nets:
                if n == topology.MGMT_NAME:
                    raise LabError("refusing to cut the management link of %s: Ansible and the lab use it; cut a data segment" % name)
                try:
                    g.interface(n)
                except KeyError:
                    raise LabError(
                        "guest %s has no interface on network %r; its networks: %s" % (name, n, ", ".join(i.network.name for i in g.interfaces[1:]) or "(none)")
                    ) from None
                network.set_link(self.topo, g, n, kind == "link-up")
        elif kind == "crash":
            guests.kill(self.topo, g)
        elif kind == "pause":
            guests.pause(self.topo, g)
        elif kind == "resume":
            guests.resume(self.topo, g)
            self.wait_ssh([name], timeout=60)
        elif kind == "start":
            self.start(name)
        elif kind == "stop":
            self._ssh_ok(g, ["systemctl", "poweroff"], timeout=10)
            deadline = time.monotonic() + 60
            while guests.main_pid(self.topo, g) is not None and time.monotonic() < deadline:
                time.sleep(0.5)
            guests.kill(self.topo, g)
        elif kind == "reboot":
            # Done when the supervisor runs a new kernel process (host side, unambiguous) that answers SSH.
            before = guests.kernel_pid(self.topo, g)
            if before is None or self._ssh_ok(g, ["true"], timeout=30) is None:
                raise LabError("guest %s is not running or does not answer SSH; cannot reboot it cleanly (use crash, then start)" % name)
            self._ssh_ok(g, ["systemctl reboot"], timeout=30)
            deadline = time.monotonic() + BOOT_TIMEOUT
            while guests.kernel_pid(self.topo, g) in (before, None):
                if guests.main_pid(self.topo, g) is None:
                    raise LabError(
                        "guest %s: its supervisor ended during the reboot; console log %s ends with:\n%s"
                        % (name, guests.GuestPaths(self.topo, g).console, _tail(guests.GuestPaths(self.topo, g).console))
                    )
                if time.monotonic() > deadline:
                    raise LabError(
                        "guest %s did not reboot within %ds after 'systemctl reboot'; console log %s"
                        % (name, BOOT_TIMEOUT, guests.GuestPaths(self.topo, g).console)
                    )
                time.sleep(0.5)
            self.wait_ssh([name])
