#!/usr/bin/env bash
# Measure the lab figures reported in docs/lab.md. Needs root. Prints one line per figure.
#   bash lab/bench/measure.sh image   # base image build from nothing (in a fresh temporary cache)
#   bash lab/bench/measure.sh boot    # boot of the 5-guest topology lab/topologies/bench5.yml to SSH
#   bash lab/bench/measure.sh tasks   # per-task Ansible overhead (N trivial tasks on one guest)
#   bash lab/bench/measure.sh strategy  # no-op site.yml on the demo lab: linear vs mitogen_linear, paired rounds
#   bash lab/bench/measure.sh         # boot and tasks (image downloads ~75 MB again)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/.venv/bin:$PATH"
TOPO=lab/topologies/bench5.yml
N=${N:-20}
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(boot tasks)
load() { cut -d' ' -f1-3 /proc/loadavg; }
for w in "${what[@]}"; do
    case $w in
    image)
        # Into a fresh, separate cache (no image, no .deb cache): the shared one is the lower
        # layer of running guests and must never be deleted under them.
        cache=$(mktemp -d /var/tmp/lvslab-measure.XXXXXX)
        t0=$(date +%s.%N)
        LVSLAB_CACHE=$cache lvslab image >/dev/null
        t1=$(date +%s.%N)
        rm -rf --one-file-system "$cache"
        awk -v a="$t0" -v b="$t1" -v l="$(load)" 'BEGIN { printf "image: base image built from nothing in %.1f s (load before: %s)\n", b - a, l }'
        ;;
    boot)
        lvslab down "$TOPO" >/dev/null 2>&1 || true
        lvslab image >/dev/null
        l=$(load)
        t0=$(date +%s.%N)
        lvslab up "$TOPO" >/dev/null
        t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" -v l="$l" 'BEGIN { printf "boot: 5 guests up and answering SSH in %.1f s (load before: %s)\n", b - a, l }'
        ;;
    tasks)
        lvslab up "$TOPO" >/dev/null
        inv=$(lvslab inventory "$TOPO" --path)
        play=$(mktemp /tmp/lvslab-tasks.XXXXXX.yml)
        gen() {  # a playbook of $1 separate trivial tasks against one guest
            printf -- '- name: Trivial tasks\n  hosts: b5dir1\n  gather_facts: false\n  tasks:\n'
            for i in $(seq "$1"); do
                printf -- '    - name: Trivial task %s\n      ansible.builtin.command: "true"\n      changed_when: false\n' "$i"
            done
        }
        gen 1 >"$play"
        ansible-playbook -i "$inv" "$play" >/dev/null   # warm up: ssh master, caches
        l=$(load)
        s0=$(date +%s.%N)
        ansible-playbook -i "$inv" "$play" >/dev/null      # 1 task: fixed cost
        gen "$N" >"$play"
        t0=$(date +%s.%N)
        ansible-playbook -i "$inv" "$play" >/dev/null
        t1=$(date +%s.%N)
        rm -f "$play"
        awk -v s="$s0" -v a="$t0" -v b="$t1" -v n="$N" -v l="$l" \
            'BEGIN { printf "tasks: playbook of %d trivial tasks in %.1f s = %.2f s per task; marginal cost (T%d - T1)/%d = %.2f s per task (1-task playbook %.1f s; pipelining on; load before: %s)\n", n, b - a, (b - a) / n, n, n - 1, ((b - a) - (a - s)) / (n - 1), a - s, l }'
        ;;
    strategy)
        # What scripts/molecule.sh gains from the mitogen strategy: a no-op site.yml rollout of
        # the demo lab (inventories/lab) under Ansible's linear strategy and under mitogen_linear,
        # back to back in each of ROUNDS paired rounds; the ratio's median is the figure.
        demo=lab/topologies/demo.yml
        lvslab up "$demo" >/dev/null
        ansible -i inventories/lab all -m ansible.builtin.wait_for_connection -a timeout=180 >/dev/null
        ansible-playbook -i inventories/lab playbooks/site.yml >/dev/null   # converge first: the rounds are no-ops
        mitogen=$(python -c 'import os, ansible_mitogen; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy
        ratios=()
        for r in $(seq "${ROUNDS:-3}"); do
            l=$(load)
            t0=$(date +%s.%N)
            ansible-playbook -i inventories/lab playbooks/site.yml >/dev/null
            t1=$(date +%s.%N)
            ANSIBLE_STRATEGY_PLUGINS=$mitogen ANSIBLE_STRATEGY=mitogen_linear ANSIBLE_HOST_KEY_CHECKING=False \
                ansible-playbook -i inventories/lab playbooks/site.yml >/dev/null
            t2=$(date +%s.%N)
            ratios+=("$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.2f", (b - a) / (c - b) }')")
            awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$r" -v l="$l" \
                'BEGIN { printf "strategy: round %d: no-op site.yml linear %.1f s, mitogen_linear %.1f s, ratio %.2fx (load before: %s)\n", r, b - a, c - b, (b - a) / (c - b), l }'
        done
        printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "strategy: median ratio over %d paired rounds: %.2fx\n", NR, m }'
        ;;
    down)
        lvslab down "$TOPO"
        ;;
    *) echo "unknown figure $w (image|boot|tasks|strategy|down)" >&2; exit 2 ;;
    esac
done
