#!/usr/bin/env bash
# Cross-check with a third-party load tool: the same speakers (same Opus
# packets, think time and duration) driven once by parley-load and once by
# artillery's WebSocket engine (npm, loadtest/artillery/), each against a
# fresh parleyd with null engines. Prints both tools' figures side by side.
#   usage: loadtest/bench_artillery.sh      (env: SESSIONS=100 DURATION=20 BUILD_DIR=...)
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
n=${SESSIONS:-100}
duration=${DURATION:-20}
ramp=${RAMP:-2}
art_dir=$root/loadtest/artillery
if [ ! -x "$art_dir/node_modules/.bin/artillery" ]; then
  # --ignore-scripts: artillery's browser engine would download a browser.
  (cd "$art_dir" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
fi
"$load" --write-packets "$out_dir/packets.json"

start_parleyd "$out_dir/parleyd-load.log" PARLEY_STT=null PARLEY_TTS=null \
  PARLEY_MAX_SESSIONS=$((n + 100)) PARLEY_MAX_PER_ADDRESS=$((n + 100))
"$load" --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$n" --duration "$duration" \
  --ramp-up "$ramp" --think-ms 1000 --think-jitter-ms 0 --out "$out_dir/parley-load.json" \
  --quiet 2>/dev/null || true
stop_parleyd

start_parleyd "$out_dir/parleyd-artillery.log" PARLEY_STT=null PARLEY_TTS=null \
  PARLEY_MAX_SESSIONS=$((n + 100)) PARLEY_MAX_PER_ADDRESS=$((n + 100))
(cd "$art_dir" && PARLEY_TARGET=ws://127.0.0.1:$voice_port PARLEY_SESSIONS=$n \
  PARLEY_RAMP_SECONDS=$ramp PARLEY_SECONDS=$duration PARLEY_THINK_MS=1000 \
  PARLEY_PACKETS=$out_dir/packets.json \
  node_modules/.bin/artillery run --quiet --output "$out_dir/artillery.json" voice.yml \
  >"$out_dir/artillery.log" 2>&1) || true
stop_parleyd

a=$out_dir/artillery.json
p=$out_dir/parley-load.json
c() { jq -r --arg k "$1" '.aggregate.counters[$k] // 0' "$a"; }
s() { jq -r --arg k "$1" --arg q "$2" '.aggregate.summaries[$k][$q] // "—"' "$a"; }
art_errors=$(jq -r '[.aggregate.counters | to_entries[] | select(.key | test("^errors\\.|parley\\.errors\\.|closed_early|timed_out|without_audio")) | .value] | add // 0' "$a")
echo "## Cross-check: parley-load and artillery, null engines"
echo
machine
echo
echo "| figure | parley-load | artillery $(jq -r .version "$art_dir/node_modules/artillery/package.json") |"
echo "| --- | ---: | ---: |"
echo "| sessions requested | $n | $n |"
echo "| connected | $(jq .sessions.connected "$p") | $(c vusers.created) created, $(c vusers.completed) completed, $(c vusers.failed) failed |"
echo "| turns started | $(jq .turns.started "$p") | $(c parley.turns.started) |"
echo "| turns answered | $(jq .turns.answered "$p") | $(c parley.turns.answered) |"
echo "| turn latency p50 / p95 / p99 ms | $(jq -r '"\(.latency_ms.p50|round) / \(.latency_ms.p95|round) / \(.latency_ms.p99|round)"' "$p") | $(s parley.turn_latency_ms median) / $(s parley.turn_latency_ms p95) / $(s parley.turn_latency_ms p99) |"
echo "| server time p50 / p99 ms | $(jq -r '"\(.server_ms.p50) / \(.server_ms.p99)"' "$p") | $(s parley.server_ms median) / $(s parley.server_ms p99) |"
echo "| reply frames received | — | $(c parley.audio_frames_received) |"
echo "| errors | $(jq .total_errors "$p") | $art_errors |"
echo
echo "Commands: \`parley-load --sessions $n --duration $duration --ramp-up $ramp --think-ms 1000 --think-jitter-ms 0\` and \`artillery run loadtest/artillery/voice.yml\` (PARLEY_SESSIONS=$n PARLEY_SECONDS=$duration), each against a fresh \`PARLEY_STT=null PARLEY_TTS=null parleyd\`."
echo "artillery's own latency figures are milliseconds from its Date.now(); its percentiles are from its histogram summaries."
