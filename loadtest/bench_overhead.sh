#!/usr/bin/env bash
# Parley's own overhead: the null engines (a fixed transcript, a 400 ms tone)
# leave only transport, Opus, VAD, actors and pacing. Overhead is the
# server's part of a turn as the client sees it: speech_ended received ->
# first reply frame received (parley-load's server_ms); the turn columns
# add the silence window and the recording's quiet tail. From 10 to 1000
# speakers; prints a markdown table with the server's CPU and memory.
#   usage: loadtest/bench_overhead.sh      (env: DURATION=30 SESSIONS="10 100 200 500 1000" DTX=1 BUILD_DIR=...
#          THINK_MS: silence between a reply and the next turn, default parley-load's 1000)
# DTX=1: the speakers' silence is DTX (1-byte packets), as Discord's and
# WebRTC-with-usedtx clients send it; otherwise ~35-byte silence frames.
# The server's per-address limit is raised to the session count: every
# speaker comes from 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
duration=${DURATION:-30}
sessions=${SESSIONS:-10 100 200 500 1000}
dtx_flag=()
[ "${DTX:-0}" = 1 ] && dtx_flag=(--dtx)
think_flag=()
[ -n "${THINK_MS:-}" ] && think_flag=(--think-ms "$THINK_MS" --think-jitter-ms $((THINK_MS / 3)))

echo "## Parley overhead, null engines"
echo
machine
echo "- server: PARLEY_STT=null PARLEY_TTS=null, PARLEY_MAX_SESSIONS = PARLEY_MAX_PER_ADDRESS = sessions + 100"
echo "- speakers' silence: $([ ${#dtx_flag[@]} -gt 0 ] && echo 'DTX (--dtx)' || echo 'continuous ~35-byte frames')"
echo "- think time between turns: ${THINK_MS:-1000} ms"
echo
echo "| sessions | connected | turns answered | complete | overhead p50 ms | overhead p95 ms | overhead p99 ms | turn p50 ms | turn p99 ms | jitter p99 ms | errors | parleyd CPU (cores) | parleyd RSS MB | client CPU (cores) | pacer late p99 ms |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
notes=$out_dir/notes.md
: >"$notes"
for n in $sessions; do
  start_parleyd "$out_dir/parleyd-$n.log" PARLEY_STT=null PARLEY_TTS=null \
    PARLEY_MAX_SESSIONS=$((n + 100)) PARLEY_MAX_PER_ADDRESS=$((n + 100))
  report=$out_dir/overhead-$n.json
  ramp=$((n / 100 > 1 ? n / 100 : 1))  # 100 new sessions a second
  before=$(cpu_seconds "$parleyd_pid")
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$out_dir/client-$n.time" "$load" \
    --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$n" --duration "$duration" \
    --ramp-up "$ramp" --out "$report" --quiet "${dtx_flag[@]}" "${think_flag[@]}" 2>/dev/null || true
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  server_cores=$(echo "scale=2; ($(cpu_seconds "$parleyd_pid") - $before) / $wall" | bc)
  client_cores=$(echo "scale=2; ($(tr ' ' '+' <"$out_dir/client-$n.time")) / $wall" | bc)
  rss=$(rss_mb "$parleyd_pid")
  stop_parleyd
  jq -r --arg s "$server_cores" --arg c "$client_cores" --arg m "$rss" '"| \(.sessions.requested) | \(.sessions.connected) | \(.turns.answered) | \(.turns.complete) | \(.server_ms.p50*10|round/10) | \(.server_ms.p95*10|round/10) | \(.server_ms.p99*10|round/10) | \(.latency_ms.p50|round) | \(.latency_ms.p99|round) | \(.jitter_ms.p99|round) | \(.total_errors) | \($s) | \($m) | \($c) | \(.client.pacer_late_ms.p99*10|round/10) |"' "$report"
  refusals "$report" >>"$notes"
  jq -r '.diagnostics.event_codes | to_entries[] | "  - \(.value) error events: \(.key)"' "$report" >>"$notes"
done
echo
echo "Command: \`parley-load --sessions N --duration $duration --ramp-up N/100\` against \`PARLEY_STT=null PARLEY_TTS=null parleyd\` on 127.0.0.1."
if [ -s "$notes" ]; then echo; echo "Refused or failed:"; cat "$notes"; fi
