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
# Hits across checkouts in different folders. Not for the check flavour:
# an object built with --coverage holds the absolute path of its .gcda, so
# ccache hashes it, and a clone hits only where an earlier one was built (a
# CI workspace's path does not change between runs).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# A hit hashes every header the unit includes (CAF, Boost, the PCH): 1.2 s
# each, 0.25 s when the hashes of unchanged files are remembered.
export CCACHE_INODECACHE=true
jobs=${PARLEY_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" "$@" >/dev/null
# PARLEY_BUILD_TARGETS="a b": only those (and what they need).
targets=()
for t in ${PARLEY_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "build/$flavour" -j "$jobs" "${targets[@]}"
