#!/usr/bin/env bash
# Quick start: install what is missing, build, and run parleyd on the
# embedded defaults (no API keys, no network). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/deps.sh
ci/build.sh release
exec build/release/runtime/parleyd "$@"
