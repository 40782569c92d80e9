#!/usr/bin/env bash
# Line coverage of project code (not tests) from the coverage build, with a gate.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/check}
gate=${PARLEY_COVERAGE_GATE:-85}
gcovr --root . "$build" \
  --filter 'actors/' --filter 'messages/' --filter 'runtime/' --filter 'ops/' \
  --exclude 'runtime/server/main.cpp' \
  --gcov-ignore-parse-errors \
  --print-summary --txt "$build/coverage.txt" \
  --fail-under-line "$gate"
