# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan (read current, compute desired, keep what differs) and apply tuning writes.

Every check happens while planning, so bad input fails before the first write.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.cpus import (
    format_cpulist,
    format_mask,
    parse_cpulist,
    parse_mask,
)
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.interrupts import parse_interrupts, queue_irqs
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.sysfs import write_checked


@dataclass
class Write:
    """One kernel file: what it holds, what it should hold, and the text to write."""

    path: str
    item: str  # what the file is about, for humans: "rx-0 rps_cpus", "irq 38 (virtio2-input.0)"
    before: str  # normalised current value (cpulist for CPU sets)
    after: str  # normalised desired value
    value: str  # exact text written to the file
    kind: str = "cpus"
    irq_name: str = ""  # for interrupts: the action name, stable across reboots (the number is not)

    @property
    def changed(self):
        return self.before != self.after

    def as_dict(self):
        out = {"path": self.path, "item": self.item, "before": self.before, "after": self.after, "value": self.value, "changed": self.changed}
        if self.irq_name:
            out["irq_name"] = self.irq_name
        return out


def resolve_cpus(host, ifname, spec, option="cpus"):
    """Turn a CPU selection into a set of online CPUs, or fail naming host, interface and value.

    ``spec``: ``local`` (online CPUs local to the NIC), ``all`` (online CPUs), a CPU list
    (``0-3,8-11``) or a mask with a 0x prefix (``0xff,ffffffff``).
    Returns (cpus, warnings, source).
    """
    where = "host %s, interface %s: %s=%r" % (host.hostname, ifname, option, spec)
    text = ("%s" % spec).strip()
    warnings = []
    if text == "local":
        cpus, source = host.local_cpus(ifname)
        return cpus, warnings, source
    if text == "all":
        return host.online, warnings, "all online CPUs"
    try:
        if text.lower().startswith("0x"):
            wanted = parse_mask(text)
        else:
            wanted = parse_cpulist(text)
    except ValueError as exc:
        raise TuningError("%s is not a CPU list or mask: %s" % (where, exc))
    if not wanted:
        raise TuningError("%s leaves no CPU; give at least one CPU (online here: %s)" % (where, format_cpulist(host.online)))
    missing = wanted - host.possible
    if missing:
        raise TuningError("%s names CPUs %s that do not exist (CPUs here: %s)" % (where, format_cpulist(missing), format_cpulist(host.possible)))
    offline = wanted - host.online
    usable = wanted & host.online
    if not usable:
        raise TuningError("%s leaves no online CPU: %s offline (online here: %s)" % (where, format_cpulist(offline), format_cpulist(host.online)))
    if offline:
        warnings.append("%s: CPUs %s are offline and left out" % (where, format_cpulist(offline)))
    return usable, warnings, "the %s option" % option


def spread(items, cpus):
    """Map each of ``items`` (queue indexes) to one CPU, round robin over sorted ``cpus``."""
    ordered = sorted(cpus)
    return dict((item, ordered[pos % len(ordered)]) for pos, item in enumerate(items))


def xps_map(tx_queues, cpus):
    """XPS: every CPU sends on exactly one queue; with fewer CPUs than queues, queues share CPUs."""
    ordered = sorted(cpus)
    mapping = dict((q, set()) for q in tx_queues)
    if not tx_queues:
        return mapping
    if len(ordered) >= len(tx_queues):
        for pos, cpu in enumerate(ordered):
            mapping[tx_queues[pos % len(tx_queues)]].add(cpu)
    else:
        for pos, queue in enumerate(tx_queues):
            mapping[queue].add(ordered[pos % len(ordered)])
    return dict((q, frozenset(c)) for q, c in mapping.items())


def _mask_write(host, path, item, current_text, desired):
    try:
        current = parse_mask(current_text)
    except ValueError as exc:
        raise TuningError("host %s: %s holds %r, not a CPU mask: %s" % (host.hostname, path, current_text, exc))
    return Write(path=path, item=item, before=format_cpulist(current), after=format_cpulist(desired), value=format_mask(desired, host.nr_cpu_ids))


def plan_net_queues(host, ifname, cpus="local", rps=None, rps_flow_cnt=None, xps=None):
    """Writes for RPS (rps_cpus on every rx queue), RFS (rps_flow_cnt) and XPS (xps_cpus).

    rps: True (rps_cpus = the CPU set), False (0: RPS off) or None (leave).
    xps: 'spread' (xps_map over the CPU set), 'disabled' (0) or None (leave).
    Returns (writes, warnings, facts).
    """
    netdir = host.net_dir(ifname)
    rx, tx = host.queues(ifname)
    warnings = []
    facts = {"rx_queues": len(rx), "tx_queues": len(tx)}
    if rps_flow_cnt is not None and rps_flow_cnt < 0:
        raise TuningError("host %s, interface %s: rps_flow_cnt=%r must be 0 or more" % (host.hostname, ifname, rps_flow_cnt))
    if not rx and (rps is not None or rps_flow_cnt is not None):
        raise TuningError(
            "host %s, interface %s: %s/queues has no rx-N directories: this kernel has no RPS/RFS "
            "(CONFIG_RPS needs SMP; uniprocessor kernels have none)" % (host.hostname, ifname, netdir)
        )
    chosen = frozenset()
    if rps or xps == "spread":
        chosen, more, source = resolve_cpus(host, ifname, cpus)
        warnings.extend(more)
        facts["cpus"] = format_cpulist(chosen)
        facts["cpus_from"] = source
    writes = []
    for q in rx:
        qdir = "%s/queues/rx-%d" % (netdir, q)
        if rps is not None:
            current = host.fs.read_optional(qdir + "/rps_cpus")
            if current is None:
                raise TuningError(
                    "host %s, interface %s: %s/rps_cpus is missing: this kernel has no RPS "
                    "(CONFIG_RPS needs SMP; uniprocessor kernels have none)" % (host.hostname, ifname, qdir)
                )
            writes.append(_mask_write(host, qdir + "/rps_cpus", "rx-%d rps_cpus" % q, current, chosen if rps else frozenset()))
        if rps_flow_cnt is not None:
            current = host.fs.read_optional(qdir + "/rps_flow_cnt")
            if current is None:
                raise TuningError("host %s, interface %s: %s/rps_flow_cnt is missing: this kernel has no RFS" % (host.hostname, ifname, qdir))
            writes.append(
                Write(
                    path=qdir + "/rps_flow_cnt",
                    item="rx-%d rps_flow_cnt" % q,
                    before=current.strip(),
                    after=str(_kernel_flow_cnt(rps_flow_cnt)),
                    value=str(_kernel_flow_cnt(rps_flow_cnt)),
                    kind="int",
                )
            )
    if xps is not None:
        mapping = xps_map(tx, chosen) if xps == "spread" else dict((q, frozenset()) for q in tx)
        for q in tx:
            path = "%s/queues/tx-%d/xps_cpus" % (netdir, q)
            current = host.fs.read_optional(path)
            if current is None:
                if len(tx) == 1:
                    warnings.append("host %s, interface %s: XPS left alone: the kernel offers no xps_cpus on a single-queue device" % (host.hostname, ifname))
                    break
                raise TuningError("host %s, interface %s: %s is missing: this kernel has no XPS" % (host.hostname, ifname, path))
            writes.append(_mask_write(host, path, "tx-%d xps_cpus" % q, current, mapping[q]))
    return writes, warnings, facts


def _kernel_flow_cnt(count):
    """The kernel rounds rps_flow_cnt up to a power of two (0 stays 0)."""
    if count <= 0:
        return 0
    size = 1
    while size < count:
        size <<= 1
    return size


def plan_irq_affinity(host, ifname, cpus="local", strategy="spread", allow_no_irqs=False):
    """Writes of /proc/irq/N/smp_affinity_list for the queue interrupts of one interface.

    strategy 'spread': queue i's interrupts go to the i-th CPU of the set (round robin),
    so the rx and tx interrupts of one queue pair share a CPU; 'all': every queue
    interrupt may run on any CPU of the set. Returns (writes, warnings, facts).
    """
    host.net_dir(ifname)
    chosen, warnings, source = resolve_cpus(host, ifname, cpus)
    info = host.device(ifname)
    interrupts = parse_interrupts(host.fs.read("/proc/interrupts"))
    found = queue_irqs(interrupts, ifname, info["names"], info["pci_slots"], info["msi_irqs"])
    facts = {"cpus": format_cpulist(chosen), "cpus_from": source, "irqs": [q.irq for q in found]}
    if not found:
        message = (
            "host %s, interface %s: no queue interrupts found in /proc/interrupts (virtual device, "
            "or a driver naming scheme this module does not know)" % (host.hostname, ifname)
        )
        if not allow_no_irqs:
            raise TuningError(message + "; set allow_no_irqs=true to accept that")
        warnings.append(message)
        return [], warnings, facts
    indexes = sorted(set(q.index for q in found))
    by_index = spread(indexes, chosen)
    writes = []
    for q in found:
        desired = frozenset([by_index[q.index]]) if strategy == "spread" else chosen
        path = "/proc/irq/%d/smp_affinity_list" % q.irq
        text = host.fs.read_optional(path)
        if text is None:
            raise TuningError("host %s, interface %s: %s does not exist" % (host.hostname, ifname, path))
        try:
            current = parse_cpulist(text)
        except ValueError as exc:
            raise TuningError("host %s: %s holds %r: %s" % (host.hostname, path, text, exc))
        writes.append(
            Write(
                path=path,
                item="irq %d (%s)" % (q.irq, q.name),
                before=format_cpulist(current),
                after=format_cpulist(desired),
                value=format_cpulist(desired),
                irq_name=q.name,
            )
        )
    return writes, warnings, facts


def apply_writes(host, writes, check_mode=False):
    """Write what differs (nothing in check mode), then read back and verify. Returns the changed writes."""
    changed = [w for w in writes if w.changed]
    if check_mode:
        return changed
    for write in changed:
        write_checked(host.fs, host.hostname, write.path, write.value)
        readback = host.fs.read(write.path)
        if write.kind == "int":
            got = readback.strip()
        elif write.path.endswith("_list"):
            got = format_cpulist(parse_cpulist(readback))
        else:
            got = format_cpulist(parse_mask(readback))
        if got != write.after:
            raise TuningError("host %s: wrote %r to %s but the kernel now reports %r (wanted %r)" % (host.hostname, write.value, write.path, got, write.after))
    return changed


def diff_text(writes):
    """(before, after) texts for Ansible's --diff, one line per changed file."""
    changed = [w for w in writes if w.changed]
    before = "".join("%s: %s\n" % (w.path, w.before or "(none)") for w in changed)
    after = "".join("%s: %s\n" % (w.path, w.after or "(none)") for w in changed)
    return before, after
