#!/usr/bin/env bash
# Run every molecule scenario under molecule/ (or the ones named) one after another on the
# User-Mode Linux lab, print a summary and exit non-zero if any failed. Needs root.
#   bash scripts/molecule.sh            # all scenarios
#   bash scripts/molecule.sh lab tun    # some
# A directory under molecule/ without molecule.yml (other than resources/) counts as a failure:
# no scenario is skipped silently.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
# molecule writes its own ansible.cfg, so the repo's 30 s connect timeout (ansible.cfg) is set
# here for every scenario: CI's drain scenario lost all four real servers to "Connection timed
# out" at Ansible's default 10 s, with six guests on two cores.
export ANSIBLE_TIMEOUT="${ANSIBLE_TIMEOUT:-30}"
LOGDIR="$ROOT/build/molecule-logs"
mkdir -p "$LOGDIR"
rm -f "$LOGDIR/summary.tsv"

if [ "$(id -u)" -ne 0 ]; then
    echo "molecule.sh: the lab needs root (network namespaces, taps, mounts); run it as root" >&2
    exit 2
fi

if [ $# -gt 0 ]; then
    scenarios=("$@")
else
    scenarios=()
    for d in molecule/*/; do
        name=$(basename "$d")
        [ "$name" = resources ] && continue
        scenarios+=("$name")
    done
fi
if [ ${#scenarios[@]} -eq 0 ]; then
    echo "molecule.sh: no scenarios under molecule/" >&2
    exit 1
fi

# The lab's own speed: playbooks under the mitogen_linear strategy (scripts/lab-strategy.sh).
# shellcheck source=scripts/lab-strategy.sh
source "$ROOT/scripts/lab-strategy.sh"

# Build (or validate) the base image once, before any scenario: its time is not a scenario's.
start=$SECONDS
if ! lvslab image; then
    echo "molecule.sh: the lab's base image could not be built; see the message above" >&2
    exit 1
fi
echo "molecule.sh: base image ready in $((SECONDS - start)) s"

# Copy molecule's output to the log and the terminal, and write the seconds of each of its
# steps (create, check, converge, ...) to $LOGDIR/<scenario>.steps for the summary.
steps_of() {
    local scenario=$1 line step="" t0=0 now
    : > "$LOGDIR/$scenario.steps"
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case $line in
        *"[$scenario > "*"] Executing"*)
            step=${line#*"[$scenario > "}; step=${step%%"]"*}; t0=$SECONDS ;;
        *"[$scenario > "*"]"*"Executed"*)
            now=$SECONDS
            [ -n "$step" ] && printf '%s %s\n' "$step" "$((now - t0))" >> "$LOGDIR/$scenario.steps"
            step="" ;;
        esac
    done
}

current=""
# shellcheck disable=SC2317  # invoked by the trap below
on_signal() {
    if [ -n "$current" ]; then
        echo "molecule.sh: interrupted; destroying scenario $current" >&2
        molecule destroy -s "$current" >/dev/null 2>&1
    fi
    exit 130
}
trap on_signal INT TERM

declare -A result duration
failed=0
for s in "${scenarios[@]}"; do
    log="$LOGDIR/$s.log"
    if [ ! -f "molecule/$s/molecule.yml" ]; then
        result[$s]="FAILED (molecule/$s/molecule.yml missing)"
        duration[$s]=0
        failed=1
        continue
    fi
    echo "=== molecule test -s $s (log: $log) ==="
    current=$s
    t0=$SECONDS
    molecule test -s "$s" --destroy=always 2>&1 | steps_of "$s" | tee "$log"
    rc=${PIPESTATUS[0]}
    duration[$s]=$((SECONDS - t0))
    # The scenario's topology (if it names one) must be gone whatever happened.
    topo=$(sed -n 's/^ *LVSLAB_TOPOLOGY: *//p' "molecule/$s/molecule.yml" | head -1 | sed "s|\${MOLECULE_PROJECT_DIRECTORY}|$ROOT|; s|^['\"]||; s|['\"]$||")
    if [ -n "$topo" ] && [ -f "$topo" ]; then
        name=$(python -c 'import sys, lvslab; print(lvslab.load_topology(sys.argv[1]).name)' "$topo" 2>/dev/null)
        if [ -n "$name" ] && { [ -e "/run/netns/lvslab-$name" ] || [ -e "/var/lib/lvslab/$name/state.json" ]; }; then
            echo "molecule.sh: scenario $s left topology $name up; bringing it down" >&2
            lvslab down "$topo"
            [ "$rc" -eq 0 ] && rc=3
        fi
    fi
    current=""
    rm -f "$LOGDIR/$s.failure"
    if [ "$rc" -eq 0 ]; then
        result[$s]="passed"
    else
        result[$s]="FAILED (rc=$rc, log $log)"
        failed=1
        # What failed, for the summary (CI shows a log's tail, not the scenario's log): the
        # failed tasks and their messages, each cut to 800 characters.
        { grep -E -B2 '^(fatal|failed): ' "$log" | grep -E '^(TASK|fatal|failed)'
          grep -E '^ *"msg": ' "$log"; } | cut -c1-800 | tail -n 12 > "$LOGDIR/$s.failure"
    fi
done

echo
echo "=== molecule summary ==="
: > "$LOGDIR/summary.tsv"
for s in "${scenarios[@]}"; do
    steps=$(awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $1, $2 }' "$LOGDIR/$s.steps" 2>/dev/null)
    printf '  %-14s %6s s  %s\n' "$s" "${duration[$s]}" "${result[$s]}"
    [ -n "$steps" ] && printf '  %-14s          (%s)\n' "" "$steps"
    [ -s "$LOGDIR/$s.failure" ] && sed 's/^/      | /' "$LOGDIR/$s.failure"
    printf '%s\t%s\t%s\t%s\n' "$s" "${duration[$s]}" "${result[$s]}" "$steps" >> "$LOGDIR/summary.tsv"
done
npassed=0
for s in "${scenarios[@]}"; do
    [ "${result[$s]}" = passed ] && npassed=$((npassed + 1))
done
# The plain closing count CI reads: scenarios, not tasks.
echo "molecule: $npassed passed, $(( ${#scenarios[@]} - npassed )) failed"
exit $failed
