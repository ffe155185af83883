#!/usr/bin/env bash
# Run ansible-playbook (connection: local) inside a throwaway User-Mode Linux guest with a real
# IPVS kernel, without the lab's network or SSH: benchmarks/uml_playbook.sh PLAYBOOK [ARGS...]
# The guest sees this checkout and its .venv read-only (benchmarks/umlrun.sh); the playbook's
# output is printed here and its exit status returned. Used for the ipvs_* integration targets
# while no lab guest is at hand, and by the benchmark.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PLAYBOOK=$(realpath "$1"); shift
JOB=$(mktemp -d /tmp/ipvs-playbook.XXXXXX)
{
    echo "cd $(printf %q "$ROOT")"
    echo "export ANSIBLE_LOCAL_TEMP=/tmp/ansible-local ANSIBLE_REMOTE_TEMP=/tmp/ansible-remote ANSIBLE_NOCOLOR=1 PYTHONDONTWRITEBYTECODE=1"
    printf '%q ' "$ROOT/.venv/bin/ansible-playbook" -i localhost, -c local -e ansible_python_interpreter=/usr/bin/python3 "$PLAYBOOK" "$@"
    echo
} > "$JOB/job.sh"
rc=0
bash "$ROOT/benchmarks/umlrun.sh" "$JOB" "${UML_MEM:-768M}" || rc=$?
cat "$JOB/job.out"
if [ -s "$JOB/job.err" ]; then cat "$JOB/job.err" >&2; fi
rm -rf "$JOB"
exit "$rc"
