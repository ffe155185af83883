# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""argument_spec pieces shared by the IPVS modules (kept in step with their DOCUMENTATION)."""

from __future__ import annotations

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import METHODS, PERSISTENCE_ENGINES, SCHEDULERS, TUN_CSUM, TUN_TYPES


def real_server_options():
    return dict(
        address=dict(type="str", required=True),
        port=dict(type="int"),
        method=dict(type="str", default="dr", choices=list(METHODS)),
        weight=dict(type="int", default=1),
        upper_threshold=dict(type="int", default=0),
        lower_threshold=dict(type="int", default=0),
        tun_type=dict(type="str", choices=list(TUN_TYPES)),
        tun_port=dict(type="int"),
        tun_csum=dict(type="str", choices=list(TUN_CSUM)),
    )


def service_options():
    return dict(
        protocol=dict(type="str", default="tcp", choices=["tcp", "udp", "sctp", "fwmark"]),
        address=dict(type="str"),
        port=dict(type="int"),
        fwmark=dict(type="int"),
        family=dict(type="str", choices=["ipv4", "ipv6"]),
        scheduler=dict(type="str", default="wlc", choices=list(SCHEDULERS)),
        scheduler_flags=dict(type="list", elements="str", default=[]),
        persistence_timeout=dict(type="int"),
        persistence_netmask=dict(type="str"),
        persistence_engine=dict(type="str", choices=list(PERSISTENCE_ENGINES)),
        one_packet=dict(type="bool", default=False),
    )


def timings_option():
    """The ``timings`` option of the modules that time their phases (doc fragment lvs.cluster.ipvs.timings)."""
    return dict(timings=dict(type="bool", default=False))


def table_argument_spec():
    """ipvs_table's argument_spec (the module and its controller-side action share it).

    The real servers (10,000 in a large table) are validated by validate.table(), which checks
    every key, type, range and choice and names the entry (services[3].real_servers[7].weight).
    Declaring them as options here would make AnsibleModule check them again first: measured
    0.8 s for 10,000 entries on the controller-class CPU and several times that inside a UML
    guest, for no extra safety.
    """
    service_spec = service_options()
    service_spec["real_servers"] = dict(type="list", elements="dict", default=[])
    return dict(services=dict(type="list", elements="dict", required=True, options=service_spec), purge=dict(type="bool", default=False), **timings_option())
