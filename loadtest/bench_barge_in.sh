#!/usr/bin/env bash
# Barge-in in a busy room: N listeners with live microphones in one guild,
# a long reply playing, and someone speaks over it (parley-barge-in-bench).
# Prints a markdown table of onset (speech sent -> speech_started), cut
# (speech_started -> interrupted) and total (speech sent -> interrupted).
#   usage: loadtest/bench_barge_in.sh
#   env: LISTENERS="1 8" ROUNDS=10 BUILD_DIR=...
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
bench=${PARLEY_BARGE_IN_BENCH:-$build/loadtest/parley-barge-in-bench}
echo "## Barge-in"
echo
machine
echo
for n in ${LISTENERS:-1 8}; do
  start_parleyd "$out_dir/parleyd-$n.log"
  echo "command: \`parley-barge-in-bench --url ws://127.0.0.1:PORT/v1/voice --listeners $n --rounds ${ROUNDS:-10}\`"
  echo
  "$bench" --url "ws://127.0.0.1:$voice_port/v1/voice" --listeners "$n" --rounds "${ROUNDS:-10}"
  echo
  stop_parleyd
done
