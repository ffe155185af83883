# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.cpus import (
    format_cpulist,
    format_mask,
    nr_cpu_ids_from_possible,
    parse_cpulist,
    parse_mask,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", set()),
        ("0", {0}),
        ("0-1\n", {0, 1}),  # /sys/devices/system/cpu/online of the recording host
        ("0-3,8-11", {0, 1, 2, 3, 8, 9, 10, 11}),
        ("0-4,6-38", set(range(0, 39)) - {5}),
        ("0-15:2/4", {0, 1, 4, 5, 8, 9, 12, 13}),
        (" 2 , 4-5 ", {2, 4, 5}),
    ],
)
def test_parse_cpulist(text, expected):
    assert parse_cpulist(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["a", "3-1", "1-", "0-3:5/4", "0x3", "1;2"])
def test_parse_cpulist_rejects(text):
    with pytest.raises(ValueError):
        parse_cpulist(text)


@pytest.mark.parametrize(
    "cpus,expected",
    [
        (set(), ""),
        ({0}, "0"),
        ({0, 1}, "0-1"),
        ({0, 1, 2, 3, 8, 9, 10, 11}, "0-3,8-11"),
        ({1, 3, 5}, "1,3,5"),
    ],
)
def test_format_cpulist(cpus, expected):
    assert format_cpulist(cpus) == expected
    assert parse_cpulist(expected) == frozenset(cpus)


@pytest.mark.parametrize(
    "cpus,nr,expected",
    [
        # as printed by the recording host (nr_cpu_ids 2): smp_affinity '3', rps_cpus '0'
        ({0, 1}, 2, "3"),
        (set(), 2, "0"),
        ({1}, 4, "2"),
        ({0, 1, 2, 3, 4, 5, 6, 7}, 8, "ff"),
        (set(range(32)), 32, "ffffffff"),
        # more than 32 CPUs: 32-bit words, most significant first, first word trimmed
        (set(range(40)), 40, "ff,ffffffff"),
        ({32}, 40, "01,00000000"),
        ({0}, 64, "00000000,00000001"),
        ({64}, 72, "01,00000000,00000000"),
        ({3}, 33, "0,00000008"),
    ],
)
def test_format_mask(cpus, nr, expected):
    assert format_mask(cpus, nr) == expected
    assert parse_mask(expected) == frozenset(cpus)


def test_format_mask_rejects_cpu_outside_mask():
    with pytest.raises(ValueError):
        format_mask({40}, 40)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3", {0, 1}),
        ("0", set()),
        ("0x3", {0, 1}),
        ("00,00000000", set()),
        ("ff,ffffffff", set(range(40))),
        ("ffffffff,00000000", set(range(32, 64))),
    ],
)
def test_parse_mask(text, expected):
    assert parse_mask(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["", "xyz", "1,2", "123456789", "ff,fffffff"])
def test_parse_mask_rejects(text):
    with pytest.raises(ValueError):
        parse_mask(text)


def test_nr_cpu_ids():
    assert nr_cpu_ids_from_possible(parse_cpulist("0-39")) == 40
    with pytest.raises(ValueError):
        nr_cpu_ids_from_possible(frozenset())
