#!/usr/bin/env bash
# A soak: SPEAKERS people talking turn after turn for DURATION seconds while
# parleyd's resident set, open file descriptors, threads and registered
# actors are sampled every SAMPLE seconds; then everyone leaves and the
# samples go on for AFTER seconds. A leak shows as a slope after warm-up
# (the first WARMUP seconds of load) or as descriptors and actors that do
# not come back to where they were before the load. Prints a markdown
# summary; soak.html in the report folder plots the samples.
#   usage: loadtest/bench_soak.sh
#   env:   SPEAKERS=100 DURATION=1800 SAMPLE=10 WARMUP=300 AFTER=60
#          ENGINES=null|embedded (null: Parley's own memory, not the decoder's)
#          BUILD_DIR=... OUT_DIR=...
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
speakers=${SPEAKERS:-100}
duration=${DURATION:-1800}
every=${SAMPLE:-10}
warmup=${WARMUP:-300}
after=${AFTER:-60}
engines=${ENGINES:-null}
[ "$warmup" -lt "$duration" ] || { echo "WARMUP must be shorter than DURATION" >&2; exit 2; }

engine_env=(PARLEY_STT=null PARLEY_TTS=null)
[ "$engines" = embedded ] && engine_env=()
start_parleyd "$out_dir/parleyd.log" "${engine_env[@]}" \
  PARLEY_MAX_SESSIONS=$((speakers + 100)) PARLEY_MAX_PER_ADDRESS=$((speakers + 100))
ops_port=$(grep -m1 '"ops endpoint listening"' "$out_dir/parleyd.log" |
  sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')

samples=$out_dir/soak.csv
echo "t_s,phase,rss_kib,fds,threads,actors" >"$samples"
t0=$(date +%s)
# sample PHASE: one row of what parleyd holds now.
sample() {
  local rss fds threads actors
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$parleyd_pid/status")
  threads=$(awk '/Threads/ {print $2}' "/proc/$parleyd_pid/status")
  fds=$(find "/proc/$parleyd_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  actors=$(curl -sf "127.0.0.1:$ops_port/actors" | jq '[.. | objects | select(has("kind"))] | length')
  echo "$(($(date +%s) - t0)),$1,$rss,$fds,$threads,$actors" >>"$samples"
}
# sample_for PHASE SECONDS
sample_for() {
  local end=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$end" ]; do
    sample "$1"
    sleep "$every"  # the sampling period, not synchronisation
  done
}

sample_for before "$every"
"$load" --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$speakers" \
  --duration "$duration" --ramp-up $((speakers / 50 + 1)) --think-ms 2000 --think-jitter-ms 1000 \
  --out "$out_dir/soak-load.json" --html "$out_dir/soak-load.html" --quiet 2>/dev/null &
client=$!
while kill -0 "$client" 2>/dev/null; do
  sample load
  sleep "$every"
done
wait "$client" || true
sample_for after "$after"
stop_parleyd

python3 "$root/loadtest/soak_report.py" "$samples" "$out_dir/soak.html" "$warmup" \
  "$speakers" "$duration" "$engines"
echo
machine
echo "- load: $(jq -r '"\(.turns.answered) turns answered of \(.turns.started), \(.total_errors) errors, turn p95 \(.latency_ms.p95) ms"' "$out_dir/soak-load.json")"
echo "- command: SPEAKERS=$speakers DURATION=$duration ENGINES=$engines loadtest/bench_soak.sh"
