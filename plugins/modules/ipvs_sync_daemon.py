#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_sync_daemon
short_description: Start or stop the IPVS connection synchronisation daemon
version_added: 0.1.0
description:
  - Starts or stops the in-kernel IPVS sync daemon in the master or backup role, so that a backup director knows the
    connections of the master and established connections survive a failover.
  - The kernel cannot change a running daemon; when its options differ, the module stops it and starts it again
    (both commands are reported).
  - Do not use this module on directors where keepalived runs the sync daemon (C(lvs_sync_daemon) in C(global_defs)).
author:
  - lvs.cluster maintainers (@lvs-cluster)
extends_documentation_fragment:
  - lvs.cluster.ipvs
notes:
  - The module reads the running daemons with C(ipvsadm -L --daemon) and runs nothing when the daemon of O(role) is
    already as asked. After starting or stopping it, the module reads them again and fails if the daemon is not as asked.
attributes:
  check_mode:
    support: full
    description: Computes and reports the ipvsadm commands it would run (stop, start, or both), without running them.
  diff_mode:
    support: full
    description: Shows the options of the daemon of O(role) before and after.
options:
  state:
    description: Whether the daemon of O(role) runs.
    type: str
    choices: [started, stopped]
    default: started
  role:
    description: V(master) sends connection updates, V(backup) receives them. A host may run both.
    type: str
    choices: [master, backup]
    required: true
  interface:
    description: Interface the daemon sends or listens on (C(--mcast-interface)). Required with O(state=started).
    type: str
  syncid:
    description: Sync ID (0-255) written by the master and filtered on by the backup; V(0) means no filtering.
    type: int
    default: 0
  sync_maxlen:
    description: UDP payload size of sync messages (1-65507, Linux 4.3 or later). Default - derived from the MTU by the kernel.
    type: int
  mcast_group:
    description: IPv4 or IPv6 multicast group (Linux 4.3 or later). Default - 224.0.0.81.
    type: str
  mcast_port:
    description: UDP port of sync messages (Linux 4.3 or later). Default - 8848.
    type: int
  mcast_ttl:
    description: TTL of sync messages, 1-255 (Linux 4.3 or later). Default - 1.
    type: int
"""

EXAMPLES = r"""
- name: Master sync daemon on the director's inside interface
  lvs.cluster.ipvs_sync_daemon:
    role: master
    interface: eth1
    syncid: 10

- name: Backup daemon with explicit multicast group and port
  lvs.cluster.ipvs_sync_daemon:
    role: backup
    interface: eth1
    syncid: 10
    mcast_group: 239.0.0.81
    mcast_port: 8848
    mcast_ttl: 1

- name: Stop the master daemon
  lvs.cluster.ipvs_sync_daemon:
    role: master
    state: stopped
"""

RETURN = r"""
changed:
  description: Whether the daemon was (or, in check mode, would be) started, stopped or restarted.
  returned: always
  type: bool
commands:
  description: The ipvsadm commands run (in check mode - that would be run).
  returned: always
  type: list
  elements: str
  sample: ["ipvsadm --stop-daemon master", "ipvsadm --start-daemon master --mcast-interface eth1 --syncid 10"]
sync_daemon:
  description: The daemon of O(role) after the run (in check mode - as requested), null when it does not run.
  returned: always
  type: dict
  sample: {"role": "master", "mcast_interface": "eth1", "syncid": 10, "sync_maxlen": 1472,
           "mcast_group": "224.0.0.81", "mcast_port": 8848, "mcast_ttl": 1}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import manage


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="started", choices=["started", "stopped"]),
            role=dict(type="str", required=True, choices=["master", "backup"]),
            interface=dict(type="str"),
            syncid=dict(type="int", default=0),
            sync_maxlen=dict(type="int"),
            mcast_group=dict(type="str"),
            mcast_port=dict(type="int"),
            mcast_ttl=dict(type="int"),
        ),
        required_if=[("state", "started", ("interface",))],
        supports_check_mode=True,
    )
    manage.run(module, manage.ensure_sync_daemon)


if __name__ == "__main__":
    main()
