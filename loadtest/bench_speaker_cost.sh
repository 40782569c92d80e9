#!/usr/bin/env bash
# What one connected speaker costs parleyd in CPU: microseconds of parleyd's
# CPU (user + system, from /proc) per second of a speaker's audio, with
# null engines so the figure is Parley's own (transport, Opus, VAD, actors).
# Three kinds of speaker: idle with DTX silence (1-byte packets, as Discord
# and WebRTC usedtx send), idle with ordinary ~35-byte silence frames, and
# talking turn after turn. CPU is read over the plateau (every session
# connected), not the ramp.
#   usage: loadtest/bench_speaker_cost.sh     (env: SESSIONS=500 DURATION=30 BUILD_DIR=...
#          KINDS="idle-dtx idle talking")
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
n=${SESSIONS:-500}
duration=${DURATION:-30}
ramp=$((n / 100 > 1 ? n / 100 : 1))
[ $((duration - ramp)) -ge 10 ] || { echo "DURATION must leave 10 s after the ramp" >&2; exit 2; }

echo "## CPU per connected speaker, null engines"
echo
machine
echo
echo "| speakers | kind | parleyd CPU µs per speaker-second | parleyd cores | errors |"
echo "| ---: | --- | ---: | ---: | ---: |"
for kind in ${KINDS:-idle-dtx idle talking}; do
  case $kind in
    idle-dtx) flags=(--idle --dtx) ;;
    idle) flags=(--idle) ;;
    talking) flags=(--think-ms 2000 --think-jitter-ms 1000) ;;
  esac
  start_parleyd "$out_dir/parleyd-$kind.log" PARLEY_STT=null PARLEY_TTS=null \
    PARLEY_MAX_SESSIONS=$((n + 100)) PARLEY_MAX_PER_ADDRESS=$((n + 100))
  "$load" --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$n" --duration "$duration" \
    --ramp-up "$ramp" --out "$out_dir/cost-$kind.json" --quiet "${flags[@]}" 2>/dev/null &
  client=$!
  sleep $((ramp + 2))  # past the ramp: every speaker connected
  window=$((duration - ramp - 5))
  before=$(cpu_seconds "$parleyd_pid")
  sleep "$window"  # the measuring window itself
  after=$(cpu_seconds "$parleyd_pid")
  wait "$client" || true
  stop_parleyd
  per=$(echo "scale=1; ($after - $before) * 1000000 / ($window * $n)" | bc)
  cores=$(echo "scale=2; ($after - $before) / $window" | bc)
  echo "| $n | $kind | $per | $cores | $(jq .total_errors "$out_dir/cost-$kind.json") |"
done
echo
echo "Command: \`SESSIONS=$n DURATION=$duration loadtest/bench_speaker_cost.sh\`. The physical floor is Opus decode per 20 ms frame (\`parley-codec-bench\`): 50 frames per speaker-second."
