#!/usr/bin/env bash
# Run a command under client load through a VIP, and print one JSON object:
#   {"rc": <the command's exit code>, "seconds": <its run time>, "probe": <traffic_probe.py's result>}
# usage: under-probe.sh TOPOLOGY VIP OUT_PREFIX COMMAND [ARG...]
# The probe (molecule/resources/files/traffic_probe.py, in the lab's client namespace) opens a new
# connection every 20 ms and holds 20 long-lived keep-alive connections for the whole run (their
# lifetime is longer than the run: a cut one is a cut, never a planned reconnect). It starts 3 s
# before the command and stops SETTLE seconds (default 3) after it. The command's output goes to
# OUT_PREFIX.log, the probe's to OUT_PREFIX.json. LAB is the lab tool (default: lvslab on PATH).
# PROBE_ARGS (word-split) go to the probe after these defaults and override them, e.g.
# PROBE_ARGS="--timeout 0.2 --long-lived 0" for a failover gap measured to 0.2 s.
set -uo pipefail
topology=$1 vip=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
probe="$here/traffic_probe.py"
read -r -a lab <<< "${LAB:-lvslab}"
read -r -a extra <<< "${PROBE_ARGS:-}"
stop="$out.stop"
rm -f "$stop"
"${lab[@]}" client "$topology" -- python3 "$probe" "$vip" --timeout 3 --duration 900 \
    --long-lived 20 --lifetime 900 --stop-file "$stop" "${extra[@]}" > "$out.json" &
probe_pid=$!
sleep 3
t0=$(date +%s.%N)
"$@" > "$out.log" 2>&1
rc=$?
t1=$(date +%s.%N)
sleep "${SETTLE:-3}"
touch "$stop"
wait "$probe_pid"
printf '{"rc": %d, "seconds": %.2f, "probe": %s}\n' "$rc" "$(awk "BEGIN {print $t1 - $t0}")" "$(cat "$out.json")"
