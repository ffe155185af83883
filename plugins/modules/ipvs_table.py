#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_table
short_description: Declare the whole IPVS table at once (fast path for large tables)
version_added: 0.1.0
description:
  - Declares a list of virtual services with their real servers. The module reads the kernel table once
    (C(ipvsadm -S -n) and C(ipvsadm -L -n --thresholds)), computes the difference, and applies only the difference in
    one batch through C(ipvsadm -R) on stdin. Nothing runs when nothing differs.
  - Changes are made in place where the kernel allows it (C(-E), C(-e)); nothing is flushed, so established connections
    through unchanged entries are not disturbed.
  - Because C(ipvsadm -R) goes on after a failing line and reports only the last line's status, the module reads the
    table again after the batch and fails, naming every entry that did not land.
  - With O(purge=true), services and real servers that are not declared are removed.
  - The module has an action plugin that does all of the above from the controller (RV(on_controller)). It checks the
    declaration first (a bad entry fails before anything runs on the host), reads the table with one remote shell
    command, computes the difference, check mode and C(--diff) with the module's own code, and sends a change as one
    C(ipvsadm -R) batch on stdin, in a second command that also reads the table again to verify it. Each read sends
    a digest of the declared table; when the host's table has it, the host answers with one line instead of the
    table. No Python runs on the host, so a no-op costs one remote command and a change two, whatever the size of
    the table. An async task, or a host where that read fails (no C(ipvsadm), no IPVS, a shell that is not POSIX),
    runs the module on the host instead, which reports the cause.
notes:
  - The result does not echo O(services) in C(invocation) (a large table would double the result);
    RV(services_declared) and RV(real_servers_declared) count what was declared.
  - Thresholds are not printed by C(ipvsadm -S); a table in which a threshold is set (declared or in the kernel) is
    always compared in full by the module, so it never takes the controller-side answer.
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
  - lvs.cluster.ipvs.table
  - lvs.cluster.ipvs.timings
options:
  services:
    description: The virtual services, each with its real servers.
    type: list
    elements: dict
    required: true
    suboptions:
      protocol:
        description: V(tcp), V(udp), V(sctp), or V(fwmark) for a firewall-mark service.
        type: str
        choices: [tcp, udp, sctp, fwmark]
        default: tcp
      address:
        description:
          - Virtual IP address (IPv4 or IPv6; IPv6 may be written with or without brackets). Not with O(services[].protocol=fwmark).
        type: str
      port:
        description:
          - Virtual port, 0-65535. V(0) (all ports) is only valid for a persistent service. Not with O(services[].protocol=fwmark).
        type: int
      fwmark:
        description: Firewall mark (1-4294967295) selecting the packets of a fwmark service. Only with O(services[].protocol=fwmark).
        type: int
      family:
        description:
          - Address family. Needed for an IPv6 fwmark service (C(ipvsadm -f N -6)); for an address service it is derived from O(services[].address).
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
            Default is per client address. Needs O(services[].persistence_timeout).
        type: str
      persistence_engine:
        description: Alternative persistence engine. Needs O(services[].persistence_timeout).
        type: str
        choices: [sip]
      one_packet:
        description: One-packet scheduling (C(-o)), for UDP services (or fwmark services carrying only UDP).
        type: bool
        default: false
      real_servers:
        description:
          - The real servers of the service (all of them when O(purge=true)).
        type: list
        elements: dict
        default: []
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
            description: Lower connection threshold 0-65535, at most O(services[].real_servers[].upper_threshold) when that is set.
            type: int
            default: 0
          tun_type:
            description: Tunnel type with O(services[].real_servers[].method=tunnel). Defaults to V(ipip) for a tunnel server.
            type: str
            choices: [ipip, gue, gre]
          tun_port:
            description: GUE destination UDP port; required with O(services[].real_servers[].tun_type=gue) and only valid with it.
            type: int
          tun_csum:
            description:
              - Tunnel checksum for V(gue) and V(gre) (V(remcsum) for V(gue) only). Defaults to V(nocsum) for those types.
            type: str
            choices: [nocsum, csum, remcsum]
  purge:
    description:
      - Remove every virtual service that O(services) does not declare, and every real server that a declared service does
        not list. With O(purge=true) and O(services=[]) the table is emptied.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The whole table of a director, nothing else may remain
  lvs.cluster.ipvs_table:
    purge: true
    services:
      - address: 192.0.2.10
        port: 80
        scheduler: wrr
        real_servers:
          - address: 198.51.100.11
            weight: 100
          - address: 198.51.100.12
            weight: 50
      - protocol: udp
        address: "2001:db8::53"
        port: 53
        scheduler: mh
        scheduler_flags: [mh-port]
        one_packet: true
        real_servers:
          - address: "2001:db8:1::11"
            method: nat
            port: 5353
      - protocol: fwmark
        fwmark: 10
        persistence_timeout: 300
        persistence_netmask: "24"
        real_servers:
          - address: 203.0.113.21
            method: tunnel
            tun_type: gue
            tun_port: 6080

- name: A large table generated from the inventory (one task, one ipvsadm -R)
  lvs.cluster.ipvs_table:
    purge: true
    services: "{{ lvs_generated_services }}"

- name: Empty the table (without a flush - entries are deleted one by one in one batch)
  lvs.cluster.ipvs_table:
    services: []
    purge: true
"""

RETURN = r"""
changed:
  description: Whether the kernel table was (or, in check mode, would be) changed.
  returned: always
  type: bool
commands:
  description:
    - The operations, in ipvsadm syntax, in the order they were (in check mode - would be) passed to C(ipvsadm -R).
  returned: always
  type: list
  elements: str
  sample: ["ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.12:80 -g -w 50 -x 0 -y 0", "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.13:80 -g -w 50"]
batch:
  description: True when operations were (or would be) passed to C(ipvsadm -R).
  returned: always
  type: bool
summary:
  description: Number of operations per action.
  returned: always
  type: dict
  sample: {"add_service": 1, "add_server": 2, "edit_server": 1}
services_declared:
  description: Number of virtual services declared.
  returned: always
  type: int
real_servers_declared:
  description: Number of real servers declared over all services.
  returned: always
  type: int
on_controller:
  description:
    - True when the action plugin did the work from the controller over the connection; false when the module ran on
      the host (async, or the remote read failed).
  returned: always
  type: bool
timings:
  description:
    - Seconds spent by the module itself - C(read) (the reads of the table), C(validate_read_diff) (validation, first read
      and diff), C(apply) (the C(ipvsadm -R) batch with the read that verifies it), C(apply_and_verify) (batch,
      re-read and check) and C(process)
      (the whole life of the module process on the host, Python start-up and argument parsing included).
    - When RV(on_controller) is true, the phases are timed on the controller and include the connection, and
      C(process) is absent.
  returned: when O(timings=true)
  type: dict
  sample: {"read": 0.21, "validate_read_diff": 0.45, "apply": 2.4, "apply_and_verify": 2.7}
missing:
  description: On failure after a batch, the entries that did not land.
  returned: failure
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.specs import table_argument_spec


def main():
    # Real servers are validated by module_utils/ipvs/validate.py, not the argument_spec (see specs.py).
    module = AnsibleModule(argument_spec=table_argument_spec(), supports_check_mode=True)
    manage.run(module, manage.ensure_table)


if __name__ == "__main__":
    main()
