# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers: copy a recorded kernel tree to a temporary directory, recreating its symlinks."""

from __future__ import annotations

import json
import os
import shutil

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def materialise(name, dest):
    src = os.path.join(FIXTURES, name)
    root = os.path.join(str(dest), name)
    shutil.copytree(src, root, ignore=shutil.ignore_patterns("*.ENOENT", "links.json"))
    # ':' is not allowed in repository file names (ansible-test no-illegal-filenames): the
    # recorded trees spell it %3A (pci0000%3A00); restore the kernel's names in the copy.
    for parent, dirs, _files in os.walk(root, topdown=False):
        for name in dirs:
            if "%3A" in name:
                os.rename(os.path.join(parent, name), os.path.join(parent, name.replace("%3A", ":")))
    with open(os.path.join(src, "links.json")) as handle:
        links = json.load(handle)
    for link, target in links.items():
        full = os.path.join(root, link)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.makedirs(os.path.join(root, target), exist_ok=True)
        os.symlink(os.path.relpath(os.path.join(root, target), os.path.dirname(full)), full)
    return root
