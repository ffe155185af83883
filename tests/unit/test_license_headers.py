# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every Python file of the repository (plugins/, roles/, tests/, lab/, molecule/, scripts/, benchmarks/) opens with the one license header.

The header is the form ansible-test sanity and the Ansible collection guidelines expect
(a GPL v3+ line naming the LICENSE file the repository ships, plus the SPDX identifier);
modules put it after their ``#!/usr/bin/python``. Empty ``__init__.py`` files stay empty.
"""

from __future__ import annotations

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HEADER = [
    "# -*- coding: utf-8 -*-",
    "# Copyright: lvs.cluster contributors",
    "# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)",
    "# SPDX-License-Identifier: GPL-3.0-or-later",
]
# Files that may not carry the header yet (none now).
PENDING = set()


def python_files():
    for top in ("plugins", "roles", "tests", "lab", "molecule", "scripts", "benchmarks"):
        for parent, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "output"))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.relpath(os.path.join(parent, name), REPO)


def without_header(path):
    """Why ``path`` does not open with the header, or None when it does."""
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    if not lines and os.path.basename(path) == "__init__.py":
        return None
    if lines and lines[0].startswith("#!"):
        if not path.startswith("plugins/modules/") or lines[0] != "#!/usr/bin/python":
            return "unexpected shebang %r" % lines[0]
        lines = lines[1:]
    return None if lines[: len(HEADER)] == HEADER else "no license header"


def test_every_python_file_has_the_license_header():
    files = [p for p in python_files() if p not in PENDING]
    assert len(files) > 50
    assert dict((p, why) for p, why in ((p, without_header(p)) for p in files) if why) == {}


def test_pending_files_exist():
    """A pending file that was moved or removed must leave the list too."""
    assert sorted(p for p in PENDING if not os.path.exists(os.path.join(REPO, p))) == []
