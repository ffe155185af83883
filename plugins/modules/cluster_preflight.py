#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Documentation of the lvs.cluster.cluster_preflight action (the work is done on the controller)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cluster_preflight
short_description: Check the whole LVS cluster declaration before any host changes
version_added: 0.1.0
description:
  - Reads C(lvs_vrrp_instances) and C(lvs_services) (see docs/inventory-model.md) and the variables of B(every) host of
    the inventory (C(hostvars), C(groups)) on the controller, and reports every problem at once, each naming the
    variable, the host and the fix.
  - "It checks: the declaration itself (required keys, types, ranges, unknown schedulers, methods and health check
    types, VRRPv2 C(auth_pass) longer than 8 bytes, fractional C(advert_int) without VRRPv3, duplicate names and
    endpoints); that every host sees the same declaration; at most one MASTER (none on an instance with C(nopreempt)
    or C(preempt_delay), which starts every director BACKUP) and distinct priorities per VRRP instance, and
    per-instance C(director_vrrp_priority)/C(director_vrrp_state) keys that name the host's instances;
    C(virtual_router_id) unique per segment and family and per director interface and family; the interfaces each
    instance names present on its directors (needs their network facts); a VIP or NAT gateway that is also a host
    address (the inventory's, and the primary IPv4 addresses in every host's facts); a NAT gateway inside the networks
    of the directors' C(nat_interface) (facts); backend groups
    that are missing or empty; real servers without an address or listed twice; per-host weights out of range or naming
    unknown services; DR real servers that are not on the directors' segment (needs the directors' network facts);
    NAT services whose real servers have no route back through the instance's C(nat_gateway); and what keepalived
    2.2.7 refuses or gets wrong at run time (VRRPv3 C(advert_int) above 40.95 s, C(preempt_delay) above 1000,
    C(garp_master_repeat) 0, C(hysteresis) not below C(quorum), drains that take a service below its C(quorum), DR/TUN
    ports that differ from the VIP's, port-0 checks without C(connect_port), mixed address families in one instance,
    instances that carry no address, double quotes or line breaks in quoted strings, fwmark services sharing a mark and
    family, host-mask C(persistence_netmask), C(auth_pass) over 8 bytes or with whitespace, C(#) or C(!),
    C(nopreempt) with C(preempt_delay), a C(sorry_server) of the other family, HTTP C(status_code) outside
    keepalived's grammar, UDP and SCTP services without an explicit health check)."
  - Runs entirely on the controller; it never connects to a host. Use it with C(run_once) in a play over all hosts.
author: lvs.cluster maintainers (@lvs-cluster)
options:
  vrrp_instances:
    description:
      - The VRRP instance declaration to check. Defaults to the C(lvs_vrrp_instances) of the host the task runs for.
    type: list
    elements: dict
  services:
    description:
      - The service declaration to check. Defaults to the C(lvs_services) of the host the task runs for.
    type: list
    elements: dict
  pool_states:
    description:
      - The backend pools' states to check (C(lvs_pool_states)). Defaults to C(lvs_pool_states) as the task sees it, so
        a play that overrides it for one run (C(playbooks/drain.yml)) is checked with its override.
    type: dict
  fail_on_problems:
    description:
      - Fail the task when a problem is found. With V(false) the problems are only returned.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Nothing is changed in any mode; the checks run the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
notes:
  - The DR segment, interface and NAT gateway checks use the directors' gathered network facts
    (C(ansible_facts.interfaces), C(ansible_facts[interface].ipv4)); without them each check is skipped and said so in
    RV(notes).
  - VIPs are compared with the addresses the inventory gives hosts (C(ansible_host), C(lvs_backend_address),
    C(director_vrrp_address)) and, for IPv4, with the primary address of each interface in every host's facts (a
    running cluster's VIPs are secondary addresses there).
seealso:
  - name: keepalived.conf(5)
    description: The keepalived configuration the director role renders from the same declaration.
    link: https://keepalived.readthedocs.io/en/latest/configuration_synopsis.html
  - name: ipvsadm(8)
    description: Schedulers and forwarding methods.
    link: https://man7.org/linux/man-pages/man8/ipvsadm.8.html
"""

EXAMPLES = r"""
- name: Preflight the cluster declaration
  hosts: all
  gather_facts: false
  tasks:
    - name: Check every host's declaration at once
      lvs.cluster.cluster_preflight:
      run_once: true

- name: Report problems without failing
  hosts: all
  gather_facts: false
  tasks:
    - name: Collect problems
      lvs.cluster.cluster_preflight:
        fail_on_problems: false
      run_once: true
      register: preflight

    - name: Show them
      ansible.builtin.debug:
        var: preflight.problems
      run_once: true
"""

RETURN = r"""
problems:
  description: Every problem found, in the order checked.
  returned: always
  type: list
  elements: dict
  contains:
    variable:
      description: The variable (and list item) at fault, e.g. C(lvs_services[0] (web).scheduler).
      type: str
    host:
      description: The host whose variable is at fault, or null for cluster-wide variables.
      type: str
    message:
      description: What is wrong.
      type: str
    fix:
      description: How to fix it.
      type: str
  sample:
    - variable: director_vrrp_priority
      host: dir2
      message: priority 150 for VI_1 equals that of dir1; VRRP then elects by address, not by intent
      fix: give every director of VI_1 a distinct priority
notes:
  description: What could not be checked, and remarks such as a single-director instance.
  returned: always
  type: list
  elements: str
vrrp_instances:
  description: Number of VRRP instances declared.
  returned: always
  type: int
services:
  description: Number of services declared.
  returned: always
  type: int
hosts:
  description: Number of hosts in the inventory.
  returned: always
  type: int
msg:
  description: Summary, with one numbered line per problem.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={
            "vrrp_instances": {"type": "list", "elements": "dict"},
            "services": {"type": "list", "elements": "dict"},
            "pool_states": {"type": "dict"},
            "fail_on_problems": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    module.fail_json(msg="lvs.cluster.cluster_preflight runs on the controller as an action plugin; it cannot run as a module on %s" % "a target")


if __name__ == "__main__":
    main()
