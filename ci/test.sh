#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, check the
# format, build once with warnings as errors, coverage instrumentation and
# AddressSanitizer + UndefinedBehaviorSanitizer, run clang-tidy, run every
# test, hold line coverage of project code to the gate, then fuzz each
# parser of client input for a bounded time. The load test needs a release
# build of its own (it measures turns against deadlines): ci/load-test.sh,
# a job of its own in .github/workflows/ci.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# Each step's time, printed as it starts and summed up at the end.
steps=() last=$start
step() {
  local now
  now=$(date +%s)
  [ ${#steps[@]} -eq 0 ] || steps[-1]+=" $((now - last))"
  steps+=("$*") last=$now
  echo; echo "=== $* ($((now - start)) s)"
}
report() {
  step "done"
  unset 'steps[-1]'
  echo "step times (s):"
  for s in "${steps[@]}"; do printf '  %6s  %s\n' "${s##* }" "${s% *}"; done
  printf '  %6s  total\n' "$(($(date +%s) - start))"
}

step "dependencies"
ci/deps.sh

step "lint: format"
ci/lint.sh format

step "build (warnings as errors, coverage, address + undefined sanitizers)"
ccache --zero-stats >/dev/null
ci/build.sh check
ccache --show-stats

step "lint: clang-tidy"
ci/lint.sh tidy

step "tests"
find build/check -name '*.gcda' -delete
# LeakSanitizer on: the chaos suite kills actors by the hundred, and whatever
# a killed actor leaves behind must still be freed.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/ci/ubsan.supp
# The browser tests' screenshots, kept as CI artifacts (.github/workflows/ci.yml).
mkdir -p build/artifacts
export PARLEY_E2E_SCREENSHOT=${PARLEY_E2E_SCREENSHOT:-$PWD/build/artifacts/voice-page.png}
export PARLEY_CONSOLE_SCREENSHOT=${PARLEY_CONSOLE_SCREENSHOT:-$PWD/build/artifacts/ops-console.png}
# The load test (label load) measures turns against deadlines; in this -O0
# sanitizer build it measures the sanitizers, so it is left to release builds.
# One test more than there are cores: the suites mostly wait on real time
# (people talking at the pace of speech, replies playing out), about 40 % of
# a core each. Four at once on two cores starved the timed ones.
(cd build/check && ctest --output-on-failure -LE load -j "${PARLEY_TEST_JOBS:-$(($(nproc) + 1))}")

step "coverage"
ci/coverage.sh build/check

step "fuzz (libFuzzer, ${PARLEY_FUZZ_SECONDS:-20} s per target)"
ci/fuzz.sh

report
