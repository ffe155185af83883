#!/usr/bin/env bash
# `make test`: every stage one after another, stopping at the first that fails, then a summary
# of each stage's and each molecule scenario's seconds, so that every CI log shows the budget
# (CI gives .ci/run 90 minutes; docs/lab.md, "The test budget").
#   bash scripts/test.sh                 # all stages
#   bash scripts/test.sh unit lint       # some
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
STAGES=(unit format-check rules host-test check-build docs-build ee sanity lint lab-test)
[ $# -gt 0 ] && STAGES=("$@")
SCENARIOS="$ROOT/build/molecule-logs/summary.tsv"
rm -f "$SCENARIOS"

declare -A took outcome
ran=()
start=$SECONDS
summary() {
    local s n_pass=0 n_fail=0 name secs res steps
    echo
    echo "=== make test: seconds per stage (CI allows 5400 s for the whole run) ==="
    for s in "${ran[@]}"; do
        printf '  %-12s %6s s  %s\n' "$s" "${took[$s]}" "${outcome[$s]}"
        if [ "${outcome[$s]}" = passed ]; then n_pass=$((n_pass + 1)); else n_fail=$((n_fail + 1)); fi
        if [ "$s" = lab-test ] && [ -f "$SCENARIOS" ]; then
            while IFS=$'\t' read -r name secs res steps; do
                printf '    %-14s %6s s  %s\n' "$name" "$secs" "$res"
                [ -n "$steps" ] && printf '    %-14s          %s\n' "" "$steps"
                [ -s "$ROOT/build/molecule-logs/$name.failure" ] && sed 's/^/        | /' "$ROOT/build/molecule-logs/$name.failure"
            done < "$SCENARIOS"
        fi
    done
    printf '  %-12s %6s s\n' total "$((SECONDS - start))"
    echo "make test: $n_pass passed, $n_fail failed"
}

rc=0
for s in "${STAGES[@]}"; do
    echo "=== make $s ==="
    t0=$SECONDS
    ran+=("$s")
    make --no-print-directory "$s"
    rc=$?
    took[$s]=$((SECONDS - t0))
    if [ "$rc" -eq 0 ]; then outcome[$s]=passed; else outcome[$s]="FAILED (rc=$rc)"; break; fi
done
summary
exit "$rc"
