# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one runner of real ansible-playbook on the controller for the unit tests (plays that contact no host).

Used by tests/unit/plugins/action/test_cluster_preflight.py and tests/unit/playbooks/: the
repo's ansible.cfg, the checkout as lvs.cluster (build/collections), the venv's ansible-playbook.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def run_playbook(tmp_path, plays, inventory="localhost,", extra_vars=None, args=()):
    """Write ``plays`` (and ``inventory`` when it is a mapping) under ``tmp_path`` and run them; the CompletedProcess."""
    if isinstance(inventory, dict):
        path = tmp_path / "inventory.yml"
        path.write_text(yaml.safe_dump(inventory))
        inventory = str(path)
    book = tmp_path / "play.yml"
    book.write_text(yaml.safe_dump(plays))
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
        ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
        ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
        ANSIBLE_LOCALHOST_WARNING="false",
    )
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, str(book), *args]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
