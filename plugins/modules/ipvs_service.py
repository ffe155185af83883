#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_service
short_description: Manage one IPVS virtual service (and optionally its real servers)
version_added: 0.1.0
description:
  - Creates, edits or removes one Linux Virtual Server virtual service with C(ipvsadm) - TCP, UDP, SCTP or a firewall mark,
    IPv4 or IPv6 - with its scheduler, scheduler flags, persistence and one-packet scheduling.
  - Scheduler, flags, persistence and one-packet scheduling are changed in place (C(ipvsadm -E)); established connections survive.
  - When O(real_servers) is given, the listed real servers are added or edited in place; with O(purge_real_servers) the
    unlisted ones are removed. When O(real_servers) is omitted, the real servers are left alone.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - lvs.cluster.ipvs.table
  - lvs.cluster.ipvs.timings
options:
  state:
    description: Whether the virtual service exists. V(absent) removes it with all its real servers.
    type: str
    choices: [present, absent]
    default: present
  protocol:
    description: V(tcp), V(udp), V(sctp), or V(fwmark) for a firewall-mark service.
    type: str
    choices: [tcp, udp, sctp, fwmark]
    default: tcp
  address:
    description:
      - Virtual IP address (IPv4 or IPv6; IPv6 may be written with or without brackets). Not with O(protocol=fwmark).
    type: str
  port:
    description:
      - Virtual port, 0-65535. V(0) (all ports) is only valid for a persistent service. Not with O(protocol=fwmark).
    type: int
  fwmark:
    description: Firewall mark (1-4294967295) selecting the packets of a fwmark service. Only with O(protocol=fwmark).
    type: int
  family:
    description:
      - Address family. Needed for an IPv6 fwmark service (C(ipvsadm -f N -6)); for an address service it is derived from O(address).
    type: str
    choices: [ipv4, ipv6]
  scheduler:
    description: Scheduling algorithm (a kernel module C(ip_vs_<name>)).
    type: str
    choices: [rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh]
    default: wlc
  scheduler_flags:
    description:
      - Scheduler flags. V(sh) takes V(sh-fallback) and V(sh-port); V(mh) takes V(mh-fallback) and V(mh-port);
        other schedulers take the generic V(flag-1), V(flag-2), V(flag-3).
    type: list
    elements: str
    default: []
  persistence_timeout:
    description: Makes the service persistent, with this timeout in seconds (1-2678400). Omit for a non-persistent service.
    type: int
  persistence_netmask:
    description:
      - Persistence granularity. IPv4 - a netmask (V(255.255.255.0)) or prefix length (V(24)); IPv6 - a prefix length 1-128.
        Default is per client address. Needs O(persistence_timeout).
    type: str
  persistence_engine:
    description: Alternative persistence engine. Needs O(persistence_timeout).
    type: str
    choices: [sip]
  one_packet:
    description: One-packet scheduling (C(-o)), for UDP services (or fwmark services carrying only UDP).
    type: bool
    default: false
  real_servers:
    description:
      - The real servers of the service. Omit to leave them untouched.
    type: list
    elements: dict
    suboptions:
      address:
        description: Real server address (IPv4 or IPv6). A family different from the service's is only allowed for V(tunnel).
        type: str
        required: true
      port:
        description:
          - Real server port. Defaults to the service port (to 0 - the port of each packet - for fwmark services).
            Only V(nat) can use a port different from the service port.
        type: int
      method:
        description: Forwarding method - direct routing, masquerading (NAT) or IP tunnelling.
        type: str
        choices: [dr, nat, tunnel]
        default: dr
      weight:
        description: Weight 0-65535. V(0) quiesces the server (no new connections, existing ones continue).
        type: int
        default: 1
      upper_threshold:
        description: Upper connection threshold 0-65535 (V(0) is no limit).
        type: int
        default: 0
      lower_threshold:
        description: Lower connection threshold 0-65535, at most O(real_servers[].upper_threshold) when that is set.
        type: int
        default: 0
      tun_type:
        description: Tunnel type with O(real_servers[].method=tunnel). Defaults to V(ipip) for a tunnel server.
        type: str
        choices: [ipip, gue, gre]
      tun_port:
        description: GUE destination UDP port; required with O(real_servers[].tun_type=gue) and only valid with it.
        type: int
      tun_csum:
        description:
          - Tunnel checksum for V(gue) and V(gre) (V(remcsum) for V(gue) only). Defaults to V(nocsum) for those types.
        type: str
        choices: [nocsum, csum, remcsum]
  purge_real_servers:
    description: Remove real servers of the service that O(real_servers) does not list. Needs O(real_servers).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: HTTP virtual service with two direct-routing real servers
  lvs.cluster.ipvs_service:
    address: 192.0.2.10
    port: 80
    scheduler: wrr
    real_servers:
      - address: 198.51.100.11
        weight: 100
      - address: 198.51.100.12
        weight: 100
    purge_real_servers: true

- name: Persistent HTTPS service, clients grouped per /24
  lvs.cluster.ipvs_service:
    address: 192.0.2.10
    port: 443
    scheduler: sh
    scheduler_flags: [sh-fallback, sh-port]
    persistence_timeout: 600
    persistence_netmask: 255.255.255.0

- name: IPv6 DNS over UDP with one-packet scheduling, NAT to port 5353
  lvs.cluster.ipvs_service:
    protocol: udp
    address: "2001:db8::53"
    port: 53
    scheduler: mh
    scheduler_flags: [mh-port]
    one_packet: true
    real_servers:
      - address: "2001:db8:1::11"
        port: 5353
        method: nat

- name: Firewall-mark service over GUE tunnels
  lvs.cluster.ipvs_service:
    protocol: fwmark
    fwmark: 10
    scheduler: rr
    persistence_timeout: 300
    real_servers:
      - address: 203.0.113.21
        method: tunnel
        tun_type: gue
        tun_port: 6080
        tun_csum: csum

- name: Remove a virtual service
  lvs.cluster.ipvs_service:
    address: 192.0.2.10
    port: 8080
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the kernel table was (or, in check mode, would be) changed.
  returned: always
  type: bool
commands:
  description:
    - The ipvsadm operations run (in check mode - that would be run), one per entry, in ipvsadm syntax.
      With RV(batch=true) they were passed as lines to a single C(ipvsadm -R).
  returned: always
  type: list
  elements: str
  sample: ["ipvsadm -E -t 192.0.2.10:80 -s wrr", "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.12:80 -g -w 100"]
operations:
  description: The same operations as structured data (action, service, real_server).
  returned: always
  type: list
  elements: dict
  sample: [{"action": "edit_service", "service": "tcp/192.0.2.10:80"}]
batch:
  description: Whether the operations went through one C(ipvsadm -R) (used above 8 operations).
  returned: always
  type: bool
service:
  description: The virtual service after the run (in check mode - as requested); null when O(state=absent).
  returned: always
  type: dict
  sample: {"protocol": "tcp", "address": "192.0.2.10", "port": 80, "family": "ipv4", "scheduler": "wrr",
           "scheduler_flags": [], "persistence_timeout": null, "persistence_netmask": null,
           "persistence_engine": null, "one_packet": false,
           "real_servers": [{"address": "198.51.100.11", "port": 80, "method": "dr", "weight": 100,
                             "upper_threshold": 0, "lower_threshold": 0}]}
timings:
  description: Seconds spent by the module in its phases (reading the table, applying and verifying).
  returned: when O(timings=true)
  type: dict
  sample: {"read": 0.02, "validate_read_diff": 0.03, "apply_and_verify": 0.05, "process": 0.31}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.specs import real_server_options, service_options, timings_option


def main():
    argument_spec = service_options()
    argument_spec.update(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        real_servers=dict(type="list", elements="dict", options=real_server_options()),
        purge_real_servers=dict(type="bool", default=False),
        **timings_option(),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        # fwmark/address/port combinations are checked in validate.py, whose messages give
        # the value and the reason ("a fwmark service has no port"), not only the names.
        supports_check_mode=True,
    )
    manage.run(module, manage.ensure_service)


if __name__ == "__main__":
    main()
