#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, lint, build
# with warnings as errors, run every test with coverage and its gate, then
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - start )) s)"; }

step "dependencies"
ci/deps.sh

step "lint: format"
ci/lint.sh format

step "build (coverage flavour, warnings as errors)"
ci/build.sh coverage

step "lint: clang-tidy"
ci/lint.sh tidy

step "tests with coverage"
find build/coverage -name '*.gcda' -delete
(cd build/coverage && ctest --output-on-failure -j "${PARLEY_JOBS:-$(nproc)}")
ci/coverage.sh build/coverage

step "build (address + undefined sanitizers)"
ci/build.sh asan

step "tests under sanitizers"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure -j "${PARLEY_JOBS:-$(nproc)}")

step "done"
