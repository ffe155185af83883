# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the get-pip.py that ansible-test downloads.

ansible-test bootstraps pip into each virtualenv it builds by running a get-pip
script that it first downloads from a CI file host, which is not reachable here.
This stand-in does the same job from what the interpreter already has: it installs
the interpreter's bundled pip with ensurepip, then runs `pip install` with the
arguments ansible-test passed (the pinned pip version and its options), which
fetches them from the package index like any other requirement.

scripts/sanity.sh copies it to ~/.ansible/test/cache/get_pip_<version>.py, the
path ansible-test checks before it tries to download.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# get-pip's own options, which pip itself does not know.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main() -> None:
    ensurepip.bootstrap(upgrade=True)
    # ensurepip sets PIP_CONFIG_FILE=/dev/null in our environment; the real install
    # below must see the machine's pip configuration (index, proxy CA) again.
    os.environ.pop("PIP_CONFIG_FILE", None)
    args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
    subprocess.run([sys.executable, "-m", "pip", "install", "--upgrade", *args], check=True)


if __name__ == "__main__":
    main()
