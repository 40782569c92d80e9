#!/usr/bin/env bash
# The reflex lane: time to first audio with a slow agent, with and without
# PARLEY_REFLEX. One speaker says "go forward ten meters" turn after turn;
# the agent takes 1.5 s longer on every call (the ops fault route's `slow`
# with a duration, armed for every round), as a remote model thinking would.
# Measured
# at the client: last speech frame sent -> first audio packet received (the
# reflex's, when one plays) and -> the reply's first packet. Prints markdown.
#   usage: loadtest/bench_reflex.sh
#   env: ROUNDS=10 AGENT_MS=1500 BUILD_DIR=... (PARLEY_REFLEX_BENCH: the bench binary)
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
rounds=${ROUNDS:-10}
bench=${PARLEY_REFLEX_BENCH:-$build/loadtest/parley-reflex-bench}
[ -x "$bench" ] || { echo "missing $bench (build parley-reflex-bench)" >&2; exit 2; }
token=bench-reflex-token-0123456789

echo "## The reflex lane: time to first audio with a slow agent"
echo
machine
echo "- server: embedded engines (pocketsphinx, flite, the command agent), every agent call 1.5 s slower (POST /faults/agent/slow/N/1500); PARLEY_REFLEX_DELAY_MS, _MAX_MS, _GAP_MS at their defaults"
echo "- $rounds turns per mode, one speaker"
echo
echo "| PARLEY_REFLEX | turns | reflexes | first audio p50 ms | p90 ms | reply audio p50 ms | p90 ms | command |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
declare -A p50
for mode in off on; do
  log=$out_dir/parleyd-reflex-$mode.log
  start_parleyd "$log" PARLEY_REFLEX=$mode PARLEY_CHAOS=1 PARLEY_OPS_TOKEN=$token
  timeout 30 grep -q -m1 '"ops endpoint listening"' <(tail -F "$log" 2>/dev/null)
  ops_port=$(grep -m1 '"ops endpoint listening"' "$log" | sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')
  curl -sf -X POST -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$ops_port/faults/agent/slow/$rounds/${AGENT_MS:-1500}" >/dev/null
  cmd="parley-reflex-bench --url ws://127.0.0.1:PORT/v1/voice --rounds $rounds"
  read -r n reflexes f50 f90 r50 r90 < <("$bench" --url "ws://127.0.0.1:$voice_port/v1/voice" --rounds "$rounds")
  stop_parleyd
  p50[$mode]=$f50
  echo "| $mode | $n | $reflexes | $f50 | $f90 | $r50 | $r90 | \`PARLEY_REFLEX=$mode $cmd\` |"
done
echo
awk -v on="${p50[on]}" -v off="${p50[off]}" \
  'BEGIN { printf "Time to first audio, median, with the reflex / without: %.2f\n", on / off }'
