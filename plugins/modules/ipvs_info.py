#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_info
short_description: Read the IPVS table, counters, timeouts and sync daemons
version_added: 0.1.0
description:
  - Read-only. Returns the virtual services and real servers (configuration, forwarding, weight, thresholds,
    ActiveConn/InActConn), their statistics and rates, the connection timeouts and the sync daemons.
  - Counters are read with C(ipvsadm --exact), so they are exact integers; without it ipvsadm rounds values from 10^8 up
    to K/M/G/T units.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Read-only; nothing to diff.
options:
  service:
    description:
      - Only this virtual service, written C(tcp/192.0.2.10:80), C(udp/[2001:db8::10]:53) or C(fwmark/10[/ipv6]).
        IPv6 addresses must be in brackets here. Timeouts and sync daemons are then not read.
    type: str
  counters:
    description: Read statistics and rates (two more ipvsadm calls).
    type: bool
    default: true
  real_servers:
    description:
      - Only these real servers, each written C(192.0.2.21:80) or C([2001:db8::21]:80), in the real servers of RV(services),
        O(connections) and the wait.
    type: list
    elements: str
  connections:
    description:
      - Also list the connection entries (C(ipvsadm -L -n -c)) of the real servers (O(real_servers), or all), in
        RV(connections). A busy director holds many, so filter with O(real_servers) or O(service).
    type: bool
    default: false
  wait_active_at_most:
    description:
      - Wait until the active connections (the kernel's ActiveConn, TCP and SCTP connections in ESTABLISHED) of the real
        servers (O(real_servers), or all, within O(service) when given) are at most this many, or O(wait_timeout)
        passes. RV(wait) says how it ended; a wait that timed out does not fail the task (the caller decides what to
        do with what is still open).
      - With O(connections), the entries are read when the wait starts and when it ends; each returned entry has
        C(open_for_at_least), the seconds it has been open at least (the wait's length when it was open at both ends).
    type: int
  wait_timeout:
    description: Seconds the wait may take at most.
    type: int
    default: 300
  wait_sleep:
    description: Seconds between two reads of the counters during the wait.
    type: float
    default: 1
"""

EXAMPLES = r"""
- name: Read the whole IPVS state
  lvs.cluster.ipvs_info:
  register: ipvs

- name: Show the active connections of every real server
  ansible.builtin.debug:
    msg: "{{ item.0.name }} -> {{ item.1.name }}: {{ item.1.active_conns }} active"
  loop: "{{ ipvs.services | subelements('real_servers') }}"
  loop_control:
    label: "{{ item.1.name }}"

- name: Wait until the drained real servers have no established connection (at most 10 minutes)
  lvs.cluster.ipvs_info:
    real_servers: [192.0.2.21:80, 192.0.2.22:80]
    counters: false
    connections: true
    wait_active_at_most: 0
    wait_timeout: 600
  register: drained

- name: One service, without counters
  lvs.cluster.ipvs_info:
    service: tcp/[2001:db8::10]:443
    counters: false
  register: one
"""

RETURN = r"""
ipvs:
  description: IPVS version and connection hash table size, from the C(ipvsadm -L) header.
  returned: always
  type: dict
  sample: {"version": "1.2.1", "conn_table_size": 4096}
services:
  description: Virtual services, sorted, each with its configuration, counters and real servers.
  returned: always
  type: list
  elements: dict
  sample:
    - name: tcp/192.0.2.10:80
      protocol: tcp
      address: 192.0.2.10
      port: 80
      family: ipv4
      scheduler: wrr
      scheduler_flags: []
      persistence_timeout: null
      persistence_netmask: null
      persistence_engine: null
      one_packet: false
      stats: {"conns": 120000000, "inpkts": 960000000, "outpkts": 0, "inbytes": 123456789012, "outbytes": 0}
      rates: {"cps": 12, "inpps": 80, "outpps": 0, "inbps": 9000, "outbps": 0}
      real_servers:
        - name: 198.51.100.11:80
          address: 198.51.100.11
          port: 80
          method: dr
          forward: Route
          weight: 100
          upper_threshold: 0
          lower_threshold: 0
          active_conns: 3
          inactive_conns: 40
          stats: {"conns": 60000000, "inpkts": 480000000, "outpkts": 0, "inbytes": 61728394506, "outbytes": 0}
          rates: {"cps": 6, "inpps": 40, "outpps": 0, "inbps": 4500, "outbps": 0}
connections:
  description:
    - Connection entries of the real servers, in the kernel's order. C(active) is counted in ActiveConn; C(template) is
      a persistence template (client port 0, state ASSURED); C(expires) is the seconds left on the entry's timer.
    - The persistence template of a fwmark service has C(protocol=fwmark) and a C(fwmark) key (its C(virtual) is the
      mark as the kernel stores it, C(0.0.0.1:0) for mark 1).
  returned: when O(connections) is true
  type: list
  elements: dict
  sample:
    - {protocol: tcp, expires: 598, state: ESTABLISHED, client: "203.0.113.2:54420", virtual: "192.0.2.100:80",
       real_server: "192.0.2.21:80", active: true, template: false, open_for_at_least: 30.2}
wait:
  description: How the wait ended.
  returned: when O(wait_active_at_most) is given
  type: dict
  sample: {active: 0, at_most: 0, waited: 12.4, polls: 13, timed_out: false, timeout: 600}
timeouts:
  description: Connection timeouts in seconds (tcp, tcpfin, udp).
  returned: when O(service) is not given
  type: dict
  sample: {"tcp": 900, "tcpfin": 120, "udp": 300}
sync_daemons:
  description: Running connection synchronisation daemons (empty when none).
  returned: when O(service) is not given
  type: list
  elements: dict
  sample: [{"role": "master", "mcast_interface": "eth0", "syncid": 1, "sync_maxlen": 1472,
            "mcast_group": "224.0.0.81", "mcast_port": 8848, "mcast_ttl": 1}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            service=dict(type="str"),
            counters=dict(type="bool", default=True),
            real_servers=dict(type="list", elements="str"),
            connections=dict(type="bool", default=False),
            wait_active_at_most=dict(type="int"),
            wait_timeout=dict(type="int", default=300),
            wait_sleep=dict(type="float", default=1),
        ),
        supports_check_mode=True,
    )
    manage.run(module, manage.gather_info)


if __name__ == "__main__":
    main()
