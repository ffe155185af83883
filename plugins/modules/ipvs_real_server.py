#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_real_server
short_description: Manage one real server of an IPVS virtual service
version_added: 0.1.0
description:
  - Adds, edits in place (C(ipvsadm -e)) or removes one real server of an existing virtual service - its forwarding method
    (direct routing, NAT, or tunnel with its tunnel options), weight and connection thresholds.
  - Setting O(weight=0) drains the server - no new connections, established ones continue - which is how a server is
    taken out of rotation without cutting its clients.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - lvs.cluster.ipvs.table
  - lvs.cluster.ipvs.timings
options:
  service:
    description:
      - The virtual service, written C(tcp/192.0.2.10:80), C(udp/[2001:db8::10]:53), C(sctp/192.0.2.10:3868),
        C(fwmark/10) or C(fwmark/10/ipv6). IPv6 addresses must be in brackets here.
      - The service must exist (see M(lvs.cluster.ipvs_service)), except with O(state=absent).
    type: str
    required: true
  state:
    description: Whether the real server is in the service.
    type: str
    choices: [present, absent]
    default: present
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
    description: Weight 0-65535. V(0) quiesces the server.
    type: int
    default: 1
  upper_threshold:
    description: Upper connection threshold 0-65535 (V(0) is no limit).
    type: int
    default: 0
  lower_threshold:
    description: Lower connection threshold 0-65535, at most O(upper_threshold) when that is set.
    type: int
    default: 0
  tun_type:
    description: Tunnel type with O(method=tunnel). Defaults to V(ipip) for a tunnel server.
    type: str
    choices: [ipip, gue, gre]
  tun_port:
    description: GUE destination UDP port; required with O(tun_type=gue) and only valid with it.
    type: int
  tun_csum:
    description: Tunnel checksum for V(gue) and V(gre) (V(remcsum) for V(gue) only). Defaults to V(nocsum) for those types.
    type: str
    choices: [nocsum, csum, remcsum]
"""

EXAMPLES = r"""
- name: Add a direct-routing real server
  lvs.cluster.ipvs_real_server:
    service: tcp/192.0.2.10:80
    address: 198.51.100.11
    weight: 100

- name: Drain it (weight 0 - established connections continue)
  lvs.cluster.ipvs_real_server:
    service: tcp/192.0.2.10:80
    address: 198.51.100.11
    weight: 0

- name: NAT real server on another port of an IPv6 service
  lvs.cluster.ipvs_real_server:
    service: tcp/[2001:db8::10]:443
    address: "2001:db8:1::21"
    port: 8443
    method: nat
    upper_threshold: 5000
    lower_threshold: 4000

- name: GRE tunnel real server with checksums
  lvs.cluster.ipvs_real_server:
    service: fwmark/10
    address: 203.0.113.21
    method: tunnel
    tun_type: gre
    tun_csum: csum

- name: Remove a real server
  lvs.cluster.ipvs_real_server:
    service: tcp/192.0.2.10:80
    address: 198.51.100.11
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the kernel table was (or, in check mode, would be) changed.
  returned: always
  type: bool
commands:
  description: The ipvsadm command run (in check mode - that would be run).
  returned: always
  type: list
  elements: str
  sample: ["ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 0 -x 0 -y 0"]
operations:
  description: The same operations as structured data (action, service, real_server).
  returned: always
  type: list
  elements: dict
  sample: [{"action": "edit_server", "service": "tcp/192.0.2.10:80", "real_server": "198.51.100.11:80"}]
batch:
  description: Always false - this module runs one ipvsadm call.
  returned: always
  type: bool
real_server:
  description: The real server as requested; null when O(state=absent).
  returned: always
  type: dict
  sample: {"address": "198.51.100.11", "port": 80, "method": "dr", "weight": 0, "upper_threshold": 0, "lower_threshold": 0}
timings:
  description: Seconds spent by the module in its phases.
  returned: when O(timings=true) and the service exists
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.specs import real_server_options, timings_option


def main():
    argument_spec = real_server_options()
    argument_spec.update(service=dict(type="str", required=True), state=dict(type="str", default="present", choices=["present", "absent"]), **timings_option())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    manage.run(module, manage.ensure_real_server)


if __name__ == "__main__":
    main()
