#!/usr/bin/env bash
# Line coverage of project code (not tests) from the coverage build, with a gate.
# The counts come from the project's own objects: the test and load-tool
# objects are skipped (gcov on them is two thirds of the time, and only
# adds the few header lines that tests alone instantiate).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/check}
gate=${PARLEY_COVERAGE_GATE:-85}
gcovr --root . "$build" \
  --filter 'actors/' --filter 'messages/' --filter 'runtime/' --filter 'ops/' \
  --exclude 'runtime/server/main.cpp' \
  --exclude-directories "$build/tests" --exclude-directories "$build/loadtest" \
  --gcov-ignore-parse-errors -j "${PARLEY_JOBS:-$(nproc)}" \
  --print-summary --txt "$build/coverage.txt" \
  --fail-under-line "$gate"
