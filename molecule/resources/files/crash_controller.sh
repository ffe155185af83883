#!/usr/bin/env bash
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# crash_controller.sh PID: what a controller crash does to a running ansible-playbook, on the
# lab host. The process PID and every process it forked die at once, with SIGKILL.
#
# A process-group kill is not enough: each of ansible's workers calls setsid() when it starts
# (ansible/executor/process/worker.py, _detach), so it sits in a session of its own, and so do
# the connection processes it forks. A group kill leaves them running the task they hold, and
# they outlive the "crashed" controller. So every process of the tree is stopped first (from the
# top, so that nothing forks a child behind the walk), then each is killed.
#
# Prints one JSON line: {"killed": [pids], "left": [pids still alive after 10 s]}; exits 1 if
# any is left.
set -uo pipefail

root=${1:?usage: crash_controller.sh PID}
tree=()

# Stop PID, then walk its children: stopped processes fork nothing new.
freeze() {
    local pid=$1 child
    kill -STOP "$pid" 2>/dev/null || return 0
    tree+=("$pid")
    for child in $(pgrep -P "$pid"); do
        freeze "$child"
    done
}

# Alive and not a zombie waiting for its parent to reap it.
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

freeze "$root"
kill -KILL "${tree[@]}" 2>/dev/null

left=()
for _ in $(seq 1 100); do
    left=()
    for pid in "${tree[@]}"; do
        alive "$pid" && left+=("$pid")
    done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.1
done

json_list() { local IFS=,; printf '[%s]' "$*"; }
printf '{"killed": %s, "left": %s}\n' "$(json_list "${tree[@]}")" "$(json_list "${left[@]}")"
[ ${#left[@]} -eq 0 ]
