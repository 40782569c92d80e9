#!/usr/bin/env bash
# The voice chaos suite again and again in one build (release by default,
# as a production binary runs): every run must pass — no crash, every turn
# its real answer. Prints each run's summary line and the tally.
#   tests/chaos/repeat.sh [RUNS]        (default 10)
#   BUILD_DIR=build/check tests/chaos/repeat.sh 3
#   PARLEY_CHAOS_CASE=voice_chaos/failing_engines_end_in_an_apology_never_in_silence
# The suite's own knobs pass through: PARLEY_CHAOS_KINDS,
# PARLEY_CHAOS_CORE_EVERY, PARLEY_CHAOS_DOOR_EVERY, PARLEY_CHAOS_TRACE.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
build=${BUILD_DIR:-build/release}
bin=$build/tests/chaos/test_chaos_voice
case=${PARLEY_CHAOS_CASE:-voice_chaos/every_turn_gets_its_real_answer_while_any_actor_dies}
if [ ! -x "$bin" ]; then
  echo "repeat.sh: no $bin; build it first: ci/build.sh ${build#build/}" >&2
  exit 2
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-suppressions=$PWD/ci/ubsan.supp}
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for i in $(seq "$runs"); do
  start=$(date +%s)
  if "$bin" --color_output=no --run_test="$case" >"$log" 2>&1; then
    status=pass
  else
    status="FAIL (exit $?)"
    failed=$((failed + 1))
  fi
  echo "run $i: $status in $(($(date +%s) - start)) s: $(grep '^chaos:' "$log" | tail -1 || true)"
  if [ "$status" != pass ]; then grep -vE '^\{|runtime error' "$log" | tail -25; fi
done
echo "repeat.sh: $((runs - failed))/$runs runs passed ($case, $build)"
[ "$failed" -eq 0 ]
