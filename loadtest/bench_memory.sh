#!/usr/bin/env bash
# Memory per session: parleyd's resident set with N idle sessions (joined,
# microphone open, nobody speaking) and with N active ones (turn after turn),
# less the resident set of the same server with none. Null engines, so the
# figure is Parley's own: connection, voice_client, guild_session,
# audio_stream and the jobs of a turn.
#   usage: loadtest/bench_memory.sh      (env: SESSIONS=200 DURATION=20 BUILD_DIR=...)
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
n=${SESSIONS:-200}
duration=${DURATION:-20}

# rss_kib_during LABEL FLAGS...: RSS in KiB sampled 3 s before the load ends.
rss_kib_during() {
  local label=$1
  shift
  "$load" --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$n" --duration "$duration" \
    --ramp-up $((duration / 4)) --out "$out_dir/memory-$label.json" --quiet "$@" 2>/dev/null &
  local client=$!
  sleep $((duration - 3))  # the plateau: every session joined, the load still on
  awk '/VmRSS/ {print $2}' "/proc/$parleyd_pid/status"
  wait "$client" || true
}

echo "## Memory per session, null engines"
echo
machine
echo
echo "| sessions | state | parleyd RSS KiB | baseline KiB | per session KiB | errors |"
echo "| ---: | --- | ---: | ---: | ---: | ---: |"
for state in idle active; do
  start_parleyd "$out_dir/parleyd-$state.log" PARLEY_STT=null PARLEY_TTS=null \
    PARLEY_MAX_SESSIONS=$((n + 100)) PARLEY_MAX_PER_ADDRESS=$((n + 100))
  base=$(awk '/VmRSS/ {print $2}' "/proc/$parleyd_pid/status")
  if [ "$state" = idle ]; then rss=$(rss_kib_during idle --idle); else rss=$(rss_kib_during active --think-ms 0 --think-jitter-ms 0); fi
  stop_parleyd
  errors=$(jq .total_errors "$out_dir/memory-$state.json")
  echo "| $n | $state | $rss | $base | $(( (rss - base) / n )) | $errors |"
done
echo
echo "Command: \`parley-load --sessions $n --duration $duration [--idle]\` against \`PARLEY_STT=null PARLEY_TTS=null parleyd\`; RSS read from /proc 3 s before the end."
