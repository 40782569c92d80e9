#!/usr/bin/env bash
# Turn latency with the embedded engines (pocketsphinx, the built-in command
# agent, flite): 1 and 10 speakers saying "go forward ten meters" turn after
# turn. Prints a markdown table; latency is from the last speech frame sent
# to the first reply frame received, so it includes the server's end-of-turn
# silence window (PARLEY_SILENCE_MS, 300 ms).
#   usage: loadtest/bench_turn_latency.sh
#   env: DURATION=60 SESSIONS="1 10 25" DECODERS=2 (pocketsphinx decoders, the
#   server's default) RAMP=2 (seconds over which speakers arrive; a turn takes
#   ~5 s, so RAMP=5 spreads them as independent rooms would be, while 2 keeps
#   them nearly in step: all talking at once) AUDIO=FILE (another recording:
#   16 kHz raw or .wav, e.g. a command from parley-turn-end-bench --write)
#   BUILD_DIR=...
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
duration=${DURATION:-60}
sessions=${SESSIONS:-1 10 25}
ramp=${RAMP:-2}
audio=()
[[ -n ${AUDIO:-} ]] && audio=(--audio "$AUDIO")

echo "## Turn latency, embedded engines"
echo
machine
echo "- server: PARLEY_STT=pocketsphinx PARLEY_TTS=flite PARLEY_AGENT=commands (defaults), PARLEY_STT_DECODERS=${DECODERS:-2}"
echo "- speakers arrive over ${ramp} s; recording: ${AUDIO:-goforward.raw}"
echo
echo "| sessions | decoders | turns answered | complete | p50 ms | p95 ms | p99 ms | max ms | server p50 ms | server p95 ms | errors | parleyd RSS MB | command |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
notes=$out_dir/notes.md
: >"$notes"
for n in $sessions; do
  decoders=${DECODERS:-2}
  start_parleyd "$out_dir/parleyd-$n.log" PARLEY_MAX_SESSIONS=$((n + 50)) \
    PARLEY_MAX_PER_ADDRESS=$((n + 50)) \
    PARLEY_STT_DECODERS="$decoders"
  report=$out_dir/latency-$n.json
  cmd="parley-load --url ws://127.0.0.1:PORT/v1/voice --sessions $n --duration $duration --ramp-up $((n > 1 ? ramp : 0)) --out latency-$n.json${AUDIO:+ --audio $AUDIO}"
  "$load" --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$n" --duration "$duration" \
    --ramp-up $((n > 1 ? ramp : 0)) --out "$report" "${audio[@]}" --quiet 2>/dev/null || true
  rss=$(rss_mb "$parleyd_pid")
  stop_parleyd
  jq -r --arg cmd "$cmd" --arg d "$decoders" --arg m "$rss" '"| \(.sessions.requested) | \($d) | \(.turns.answered) | \(.turns.complete) | \(.latency_ms.p50|round) | \(.latency_ms.p95|round) | \(.latency_ms.p99|round) | \(.latency_ms.max|round) | \(.server_ms.p50|round) | \(.server_ms.p95|round) | \(.total_errors) | \($m) | `\($cmd)` |"' "$report"
  refusals "$report" >>"$notes"
done
if [ -s "$notes" ]; then echo; echo "Refused:"; cat "$notes"; fi
