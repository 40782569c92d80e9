#!/usr/bin/env bash
# The load test in a release build: parley-load against a real parleyd with
# the null engines must get every turn answered with no error. Not in the
# sanitizer run of ci/test.sh: at -O0 under ASan it measures the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/deps.sh
PARLEY_BUILD_TARGETS="parleyd parley-load" ci/build.sh release
cd build/release && ctest --output-on-failure -L load
