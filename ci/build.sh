#!/usr/bin/env bash
# Configures and builds one flavour into build/<flavour>, incrementally.
#   release   optimised parleyd for running
#   check     what CI tests: -O0, gcov instrumentation for the coverage gate,
#             AddressSanitizer + UndefinedBehaviorSanitizer, in one build
#   asan      the sanitizers alone
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  check) args=(-DCMAKE_BUILD_TYPE=Debug -DPARLEY_COVERAGE=ON "-DPARLEY_SANITIZE=address,undefined") ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug "-DPARLEY_SANITIZE=address,undefined") ;;
  *) echo "ci/build.sh: unknown flavour '$flavour' (release|check|asan)" >&2; exit 2 ;;
esac
# Precompiled headers and ccache get along only with these.
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# Hits across checkouts in different folders (CI clones somewhere new).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
jobs=${PARLEY_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" "$@" >/dev/null
# PARLEY_BUILD_TARGETS="a b": only those (and what they need).
targets=()
for t in ${PARLEY_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "build/$flavour" -j "$jobs" "${targets[@]}"
