#!/usr/bin/env bash
# Run a shell script inside a throwaway User-Mode Linux guest (real Linux 6.1 kernel with
# IPVS as modules) and wait for it: umlrun.sh JOBDIR [MEM]
# JOBDIR must hold job.sh; the guest writes job.out, job.err and job.rc there.
# The guest sees the host's root read-only, so ipvsadm, python3 and the project's .venv
# are the host's own. No network device is given to the guest (loopback only).
set -euo pipefail
JOBDIR=$(realpath "$1")
MEM=${2:-512M}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$JOBDIR/job.sh" ] || { echo "umlrun.sh: $JOBDIR/job.sh missing" >&2; exit 2; }
rm -f "$JOBDIR/job.rc" "$JOBDIR/job.out" "$JOBDIR/job.err"
UMLDIR=$(mktemp -d /tmp/umlrun.XXXXXX)
# setsid: the guest and its helper processes form one process group we can end by pgid.
setsid linux.uml mem="$MEM" umid="umlrun-$$" uml_dir="$UMLDIR" \
    root=/dev/root rootfstype=hostfs rootflags=/ ro \
    init="$HERE/uml-init.sh" JOBDIR="$JOBDIR" \
    con=null con0=null,fd:1 > "$JOBDIR/console.log" 2>&1 < /dev/null &
PID=$!
trap 'kill -- -$PID 2>/dev/null || true; rm -rf "$UMLDIR"' EXIT
wait $PID || true
rm -rf "$UMLDIR"
trap - EXIT
if [ ! -f "$JOBDIR/job.rc" ]; then
    echo "umlrun.sh: the guest did not finish the job; console:" >&2
    tail -30 "$JOBDIR/console.log" >&2
    exit 3
fi
exit "$(cat "$JOBDIR/job.rc")"
