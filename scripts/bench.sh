#!/usr/bin/env bash
# Benchmarks that print figures (make bench). IPVS part: brings up the one-guest topology
# lab/topologies/ipvs-bench.yml, runs benchmarks/ipvs_table_bench.py against it, brings it down.
# KEEP=1 leaves the guest up; PER_ENTRY_LIMIT=N measures only N one-call-per-entry ipvsadm
# calls and scales them to 10,100 (default 1010, the lines of 10 services; PER_ENTRY_LIMIT=0
# runs all 10,100: about 19 ms a call unloaded, 3+ minutes, far more on a busy host);
# ROUNDS=N paired rounds for the ratios (default 3). Then the blue/green part:
# benchmarks/drain_bench.py on lab/topologies/drain.yml (ROUNDS switches under client load),
# its playbooks under the lab's mitogen strategy (scripts/lab-strategy.sh). Then keepalived
# reloads at scale: benchmarks/reload_bench.py on lab/topologies/failover.yml (SIZES real
# servers, default 100,1000,10000; ROUNDS reloads each). Then site.yml over two director pairs:
# benchmarks/rollout_bench.py on lab/topologies/pairs.yml (ROUNDS paired rounds, batched
# against one director at a time). BENCH=ipvs, BENCH=drain, BENCH=reload or BENCH=rollout
# runs one part.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
TOPOLOGY=lab/topologies/ipvs-bench.yml
export PATH="$ROOT/.venv/bin:$PATH"
if [ "${BENCH:-all}" = all ] || [ "${BENCH:-all}" = ipvs ]; then
(
lvslab up "$TOPOLOGY"
INVENTORY=$(lvslab inventory "$TOPOLOGY" >/dev/null && echo /var/lib/lvslab/ipvsbench/inventory.yml)
# shellcheck disable=SC2317  # called by the trap
cleanup() { [ "${KEEP:-0}" = 1 ] || lvslab down "$TOPOLOGY"; }
trap cleanup EXIT
"$PY" benchmarks/ipvs_table_bench.py --inventory "$INVENTORY" --host ipvs1 --per-entry-limit "${PER_ENTRY_LIMIT:-1010}" --rounds "${ROUNDS:-3}"
)
fi
keep=()
[ "${KEEP:-0}" = 1 ] && keep=(--keep)
if [ "${BENCH:-all}" != ipvs ]; then
    # shellcheck source=scripts/lab-strategy.sh
    source "$ROOT/scripts/lab-strategy.sh"
fi
if [ "${BENCH:-all}" = all ] || [ "${BENCH:-all}" = drain ]; then
    "$PY" benchmarks/drain_bench.py --rounds "${ROUNDS:-3}" "${keep[@]}"
fi
if [ "${BENCH:-all}" = all ] || [ "${BENCH:-all}" = reload ]; then
    "$PY" benchmarks/reload_bench.py --rounds "${ROUNDS:-3}" --sizes "${SIZES:-100,1000,10000}" "${keep[@]}"
fi
if [ "${BENCH:-all}" = all ] || [ "${BENCH:-all}" = rollout ]; then
    "$PY" benchmarks/rollout_bench.py --rounds "${ROUNDS:-3}" "${keep[@]}"
fi
