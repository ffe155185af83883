#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lvs.cluster maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ethtool_settings
short_description: Set NIC offload features and ring sizes with ethtool
version_added: "0.1.0"
description:
  - Sets offload features (C(ethtool -K)) and ring sizes (C(ethtool -G)) of one interface,
    only those given, and only when they differ from what C(ethtool -k) / C(ethtool -g) report.
  - Features and rings the driver does not have, features it fixes (C([fixed])) and ring sizes
    above the driver maximum fail before anything is changed, naming host, interface and value.
  - After a change the settings are read back and checked. Changing ring sizes makes most
    drivers reset the NIC, which drops the link for a moment.
  - The settings last until the driver is reloaded or the host reboots; the
    C(lvs.cluster.tuning) role re-applies them at boot.
  - community.general has no ethtool module (only C(community.general.nmcli) options, which need
    NetworkManager); this module does not depend on any network manager.
author:
  - lvs.cluster maintainers (@lvs-cluster)
options:
  interface:
    description: The network interface, for example C(eth0).
    type: str
    required: true
  features:
    description:
      - Feature name to V(true) (on) or V(false) (off). Long names as C(ethtool -k) prints them
        (C(generic-receive-offload)) or the short ones C(ethtool -K) accepts
        (C(rx tx sg tso ufo gso gro lro rxvlan txvlan ntuple rxhash)).
    type: dict
  rings:
    description:
      - Ring sizes, keys C(rx), C(rx-mini), C(rx-jumbo), C(tx).
    type: dict
attributes:
  check_mode:
    support: full
    description: Computes and reports the same changes and commands without running them.
  diff_mode:
    support: full
    description: One line per changed feature or ring.
  platform:
    support: full
    platforms: posix
    description: Linux with the ethtool command.
requirements:
  - ethtool
seealso:
  - module: lvs.cluster.net_queues
  - name: ethtool(8)
    description: The ethtool manual.
    link: https://man7.org/linux/man-pages/man8/ethtool.8.html
'''

EXAMPLES = r'''
- name: LRO off on a router/director (it breaks forwarding), GRO on, bigger rings
  lvs.cluster.ethtool_settings:
    interface: eth0
    features:
      lro: false
      gro: true
    rings:
      rx: 4096
      tx: 4096
'''

RETURN = r'''
commands:
  description: The ethtool commands run (in check mode, that would be run).
  returned: always
  type: list
  elements: str
  sample: ["ethtool -K eth0 generic-receive-offload on"]
features:
  description: The changed features, long name to V(true)/V(false), after the run.
  returned: always
  type: dict
  sample: {"generic-receive-offload": true}
rings:
  description: The changed ring sizes after the run.
  returned: always
  type: dict
  sample: {"rx": 4096}
'''

import shlex
import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.cluster.plugins.module_utils.tuning.ethtool import (
    RING_KEYS, features_argv, parse_features, parse_rings, plan_features, plan_rings, rings_argv,
)
from ansible_collections.lvs.cluster.plugins.module_utils.tuning.exceptions import TuningError


def _read(module, argv, where):
    rc, out, err = module.run_command(argv)
    if rc != 0:
        raise TuningError('%s: %s failed (rc=%d): %s' % (where, ' '.join(argv), rc, (err or out).strip()))
    return out


def run(module):
    params = module.params
    iface = params['interface']
    where = 'host %s, interface %s' % (socket.gethostname(), iface)
    ethtool = module.get_bin_path('ethtool', required=True)
    features = {}
    for name, value in (params['features'] or {}).items():
        if not isinstance(value, bool):
            value = module.boolean(value)
        features[name] = value
    rings = {}
    for key, value in (params['rings'] or {}).items():
        if key not in RING_KEYS:
            raise TuningError('%s: rings.%s: unknown ring (use %s)' % (where, key, ', '.join(sorted(RING_KEYS))))
        try:
            rings[key] = int(value)
        except (TypeError, ValueError):
            raise TuningError('%s: rings.%s=%r is not an integer' % (where, key, value))
    feature_changes, ring_changes = [], []
    try:
        if features:
            feature_changes = plan_features(where, parse_features(_read(module, [ethtool, '-k', iface], where)), features)
        if rings:
            ring_changes = plan_rings(where, parse_rings(_read(module, [ethtool, '-g', iface], where)), rings)
    except ValueError as exc:
        raise TuningError('%s: cannot read ethtool output: %s' % (where, exc))
    commands = []
    if feature_changes:
        commands.append(features_argv(ethtool, iface, feature_changes))
    if ring_changes:
        commands.append(rings_argv(ethtool, iface, ring_changes))
    if not module.check_mode:
        for argv in commands:
            _read(module, argv, where)
        if feature_changes:
            left = plan_features(where, parse_features(_read(module, [ethtool, '-k', iface], where)),
                                 dict((n, a) for n, _b, a in feature_changes))
            if left:
                raise TuningError('%s: after %s the driver still reports %s' % (where, ' '.join(commands[0]), left))
        if ring_changes:
            left = plan_rings(where, parse_rings(_read(module, [ethtool, '-g', iface], where)), dict((k, a) for k, _b, a in ring_changes))
            if left:
                raise TuningError('%s: after %s the driver still reports %s' % (where, ' '.join(commands[-1]), left))
    result = dict(changed=bool(commands), commands=[' '.join(shlex.quote(a) for a in argv) for argv in commands],
                  features=dict((n, a) for n, _b, a in feature_changes), rings=dict((k, a) for k, _b, a in ring_changes))
    if module._diff and commands:
        lines = [('feature %s' % n, 'on' if b else 'off', 'on' if a else 'off') for n, b, a in feature_changes]
        lines += [('ring %s' % k, str(b), str(a)) for k, b, a in ring_changes]
        result['diff'] = dict(before=''.join('%s: %s\n' % (n, b) for n, b, _a in lines),
                              after=''.join('%s: %s\n' % (n, a) for n, _b, a in lines),
                              before_header='%s ethtool' % iface, after_header='%s ethtool' % iface)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interface=dict(type='str', required=True),
            features=dict(type='dict'),
            rings=dict(type='dict'),
        ),
        required_one_of=[('features', 'rings')],
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except TuningError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
