# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CPU list and CPU mask arithmetic, exactly as the kernel prints and parses them.

* cpulist: ``0-3,8-11`` (/sys/devices/system/cpu/online, smp_affinity_list).
* cpumask: hexadecimal, in comma-separated 32-bit words, most significant first
  (``ff,ffffffff`` for 40 CPUs); rps_cpus, xps_cpus, smp_affinity.
  The kernel prints nr_cpu_ids bits: every word has 8 digits except the first,
  which has only the digits its remaining bits need.
"""

from __future__ import annotations

import re

_RANGE = re.compile(r"^(\d+)(?:-(\d+)(?::(\d+)/(\d+))?)?$")


def parse_cpulist(text):
    """Parse a kernel CPU list (``0-3,8-11``, ``0-15:2/4``, empty) into a frozenset of ints.

    Raises ValueError naming the bad element.
    """
    cpus = set()
    text = (text or "").strip()
    if not text:
        return frozenset()
    for part in text.split(","):
        part = part.strip()
        match = _RANGE.match(part)
        if not match:
            raise ValueError("%r is not a CPU number or range (expected e.g. 0-3,8-11)" % part)
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise ValueError("range %r runs backwards" % part)
        if match.group(3) is not None:
            used, group = int(match.group(3)), int(match.group(4))
            if used < 1 or group < 1 or used > group:
                raise ValueError("stride %r is invalid (need 1 <= used <= group)" % part)
            for start in range(first, last + 1, group):
                cpus.update(c for c in range(start, min(start + used, last + 1)))
        else:
            cpus.update(range(first, last + 1))
    return frozenset(cpus)


def format_cpulist(cpus):
    """Format a set of CPU numbers the way the kernel does: sorted ranges, ``0-3,8-11``."""
    out = []
    ordered = sorted(cpus)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else "%d-%d" % (ordered[i], ordered[j]))
        i = j + 1
    return ",".join(out)


def parse_mask(text):
    """Parse a kernel CPU mask (``3``, ``00000000,00000101``, ``0x3``) into a frozenset of ints."""
    raw = (text or "").strip().lower()
    if raw.startswith("0x"):
        raw = raw[2:]
    words = raw.split(",")
    if not raw or any(not re.match(r"^[0-9a-f]{1,8}$", w) for w in words):
        raise ValueError("%r is not a CPU mask (hexadecimal, 32-bit words separated by commas)" % text)
    if any(len(w) != 8 for w in words[1:]):
        raise ValueError("%r is not a CPU mask: every word after the first must have 8 hex digits" % text)
    value = 0
    for word in words:
        value = (value << 32) | int(word, 16)
    return frozenset(bit for bit in range(value.bit_length()) if value >> bit & 1)


def format_mask(cpus, nr_cpu_ids):
    """Format a CPU set as the kernel prints a mask of ``nr_cpu_ids`` bits."""
    if nr_cpu_ids < 1:
        raise ValueError("nr_cpu_ids must be at least 1")
    if cpus and max(cpus) >= nr_cpu_ids:
        raise ValueError("CPU %d does not fit a mask of %d CPUs" % (max(cpus), nr_cpu_ids))
    value = 0
    for cpu in cpus:
        value |= 1 << cpu
    nwords = (nr_cpu_ids + 31) // 32
    first_bits = nr_cpu_ids - 32 * (nwords - 1)
    words = []
    for index in range(nwords - 1, -1, -1):
        word = (value >> (32 * index)) & 0xFFFFFFFF
        digits = (first_bits + 3) // 4 if index == nwords - 1 else 8
        words.append("%0*x" % (digits, word))
    return ",".join(words)


def nr_cpu_ids_from_possible(possible):
    """The kernel's nr_cpu_ids: one more than the highest possible CPU."""
    if not possible:
        raise ValueError("no possible CPUs")
    return max(possible) + 1
