# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Shared documentation of the ipvsadm-backed IPVS modules.

    ``lvs.cluster.ipvs`` is what every IPVS module has; ``lvs.cluster.ipvs.table`` what the three
    modules that change the table do (ipvs_service, ipvs_real_server, ipvs_table);
    ``lvs.cluster.ipvs.timings`` the option of the modules that time their phases (the same three).
    ipvs_info, ipvs_timeouts and ipvs_sync_daemon document their own reads, check and diff mode.
    """

    DOCUMENTATION = r"""
requirements:
  - C(ipvsadm) 1.31 or later on the managed host (Debian/Ubuntu package C(ipvsadm)).
  - A kernel with IPVS (C(ip_vs) loaded, or built in).
seealso:
  - name: ipvsadm(8)
    description: The Linux Virtual Server administration tool.
    link: https://manpages.debian.org/bookworm/ipvsadm/ipvsadm.8.en.html
  - name: keepalived.conf(5)
    description: keepalived also programs IPVS; do not let both manage the same virtual services.
    link: https://manpages.debian.org/bookworm/keepalived/keepalived.conf.5.en.html
attributes:
  platform:
    support: full
    platforms: posix
    description: Linux hosts with IPVS.
"""

    TABLE = r"""
notes:
  - The module reads the table with C(ipvsadm -S -n) and C(ipvsadm -L -n --thresholds), compares it with the request
    and runs nothing when nothing differs.
  - Addresses must be IP addresses, not host names. IPv6 addresses may be given bare or in brackets in address fields;
    in a service reference string (C(tcp/[2001:db8::10]:80)) the brackets are required.
  - After applying, the module reads the table again and fails, naming each entry, if the kernel does not hold what was asked.
attributes:
  check_mode:
    support: full
    description: Computes and reports the exact ipvsadm operations it would run, without running them.
  diff_mode:
    support: full
    description: Shows, in ipvsadm's own syntax, only the entries that change.
"""

    TIMINGS = r"""
options:
  timings:
    description:
      - Also return RV(timings), the seconds the module spent in each phase. For measuring the module (the benchmarks
        and integration tests use it); it changes nothing else.
    type: bool
    default: false
"""
