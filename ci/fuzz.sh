#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time (PARLEY_FUZZ_SECONDS, 20 by
# default; seven targets, one per core at a time: about 80 s on two cores)
# from its committed corpus. A crash fails the run and leaves the input in
# build/fuzz/crashes/<target>/: copy it into tests/fuzz/corpus/<target>/ so
# every build replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${PARLEY_FUZZ_SECONDS:-20}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DPARLEY_FUZZ=ON >/dev/null
targets=(fuzz_client_message fuzz_audio_frames fuzz_gateway_message fuzz_voice_packet
  fuzz_mls_message fuzz_dave_opcode fuzz_dave_frame)
# Inputs: one text frame (the server takes larger ones, but the parser
# reads them the same way); a few dozen length-prefixed Opus packets; one
# UDP datagram; an MLS message or DAVE opcode frame (a commit or Welcome for
# a small call, its ratchet tree included); one DAVE media frame.
declare -A max_len=([fuzz_client_message]=4096 [fuzz_audio_frames]=2048 [fuzz_gateway_message]=4096 [fuzz_voice_packet]=1600
  [fuzz_mls_message]=8192 [fuzz_dave_opcode]=8192 [fuzz_dave_frame]=1600)
cmake --build build/fuzz --target "${targets[@]}"
# fuzz_one TARGET: one bounded run; its log says how it ended.
fuzz_one() {
  local target=$1 name=${1#fuzz_}
  local work=build/fuzz/corpus/$name crashes=build/fuzz/crashes/$name
  rm -rf "$work" "$crashes" && mkdir -p "$work" "$crashes"
  cp tests/fuzz/corpus/"$name"/* "$work"/
  build/fuzz/tests/fuzz/"$target" "$work" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
    -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$crashes/" \
    >"build/fuzz/$name.log" 2>&1
}
# One target per core at a time: each is a single-threaded process.
at_once=${PARLEY_JOBS:-$(nproc)}
echo "fuzzing ${#targets[@]} targets for ${seconds} s each, $at_once at a time"
declare -A pids=()
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$at_once" ]; do wait -n || true; done
  fuzz_one "$target" &
  pids[$target]=$!
done
failed=0
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  if ! wait "${pids[$target]}"; then
    tail -40 "build/fuzz/$name.log"
    echo "ci/fuzz.sh: $target failed; the input is in build/fuzz/crashes/$name/" >&2
    failed=1
    continue
  fi
  echo "$name: $(grep -E '^stat::(number_of_executed_units|new_units_added)' "build/fuzz/$name.log" | tr '\n' ' ')"
done
exit "$failed"
