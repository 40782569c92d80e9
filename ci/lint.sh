#!/usr/bin/env bash
# ci/lint.sh format        clang-format check of every project source
# ci/lint.sh tidy          clang-tidy on every project translation unit (cached by content)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -E '^(actors|messages|runtime|ops|tests|loadtest)/')
case "${1:-}" in
  format)
    echo "lint: clang-format on ${#sources[@]} files"
    clang-format --dry-run -Werror "${sources[@]}"
    ;;
  tidy)
    # Its own configure without precompiled headers: clang cannot read gcc's.
    build=build/lint
    cmake -S . -B "$build" -G Ninja -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >/dev/null
    mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$' | grep -v '^tests/')
    # Units found clean before with the same inputs are not run again.
    ci/tidy.py "$build" "${units[@]}"
    ;;
  *) echo "usage: ci/lint.sh format | tidy" >&2; exit 2 ;;
esac
echo "lint: clean"
