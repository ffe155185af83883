#!/usr/bin/env bash
# Sourced by scripts/molecule.sh and scripts/bench.sh: the lab's own speed. Every playbook they
# run goes through the mitogen strategy (one Python interpreter per guest for the whole run
# instead of one per task: Python starts slowly in a UML guest). The collection never needs it,
# and molecule/default's probed rollouts run site.yml exactly as users do (ssh connection,
# linear strategy). LVS_LAB_MITOGEN=0 turns it off. Needs the virtualenv's python on PATH.
# shellcheck shell=bash
if [ "${LVS_LAB_MITOGEN:-1}" != 0 ]; then
    if ! mitogen_dir=$(python -c 'import os, ansible_mitogen; print(os.path.dirname(ansible_mitogen.__file__))'); then
        echo "$(basename "$0"): mitogen is not in the virtualenv (make bootstrap installs requirements.txt)" >&2
        exit 1
    fi
    export ANSIBLE_STRATEGY_PLUGINS="$mitogen_dir/plugins/strategy" ANSIBLE_STRATEGY=mitogen_linear
    # mitogen opens its own SSH sessions and needs this with the lab's throwaway host keys.
    export ANSIBLE_HOST_KEY_CHECKING=False
    echo "$(basename "$0"): playbooks run under the mitogen_linear strategy (LVS_LAB_MITOGEN=0 for Ansible's own)"
fi
