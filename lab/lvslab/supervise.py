# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-guest supervisor: runs the UML kernel and boots it again when the guest asked for a reboot.

UML reboots by re-executing itself, and the re-executed kernel cannot open its taps again
(the old descriptors are inherited and keep them busy). So the lab makes a guest's reboot a
power-off that leaves a marker in its disk (see render.guest_files); this process, the guest's
process-group leader, sees the marker when the kernel exits and starts a fresh kernel.

    python -m lvslab.supervise MARKER_PATH -- nsenter ... linux.uml ...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: python -m lvslab.supervise MARKER -- COMMAND...\n")
        return 2
    marker, command = argv[0], argv[2:]
    while True:
        if os.path.exists(marker):
            os.remove(marker)
        rc = subprocess.call(command)
        if not os.path.exists(marker):
            return rc
        sys.stdout.write(
            "\n--- lvslab: guest rebooted at %s (kernel exit %d); booting it again ---\n" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), rc)
        )
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
