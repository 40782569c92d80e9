#!/usr/bin/env bash
# clang-format on every project source; clang-tidy on every project
# translation unit of the given build (needs its compile_commands.json).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/coverage}
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -E '^(actors|messages|runtime|ops|tests|loadtest)/')
echo "lint: clang-format on ${#sources[@]} files"
clang-format --dry-run -Werror "${sources[@]}"
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$' | grep -v '^tests/')
echo "lint: clang-tidy on ${#units[@]} translation units"
printf '%s\n' "${units[@]}" | xargs -P "${PARLEY_JOBS:-$(nproc)}" -n 4 \
  clang-tidy -p "$build" --quiet 2> >(grep -v "warnings generated" >&2)
echo "lint: clean"
