#!/usr/bin/env bash
# Configures and builds one flavour into build/<flavour>, incrementally.
#   release   optimised parleyd for running
#   coverage  -O0 with gcov instrumentation (tests and the coverage gate)
#   asan      AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  coverage) args=(-DCMAKE_BUILD_TYPE=Debug -DPARLEY_COVERAGE=ON) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug "-DPARLEY_SANITIZE=address,undefined") ;;
  *) echo "ci/build.sh: unknown flavour '$flavour' (release|coverage|asan)" >&2; exit 2 ;;
esac
# Precompiled headers and ccache get along only with these.
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
jobs=${PARLEY_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" "$@" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
