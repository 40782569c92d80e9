#!/usr/bin/env bash
# The README's test command as a new user meets it: a fresh clone of this
# checkout's HEAD, in a bare Debian 12 container (ci/base-image.sh) with
# nothing installed, runs .ci/run. Everything comes from Debian's packages
# (Node included: Debian 12 ships 18) and, for test tools, npm.
# Usage: ci/fresh-debian.sh            (log: the container's output)
set -euo pipefail
cd "$(dirname "$0")/.."
base=$(ci/base-image.sh)
work=$(mktemp -d /tmp/parley-fresh.XXXXXX)
name=parley-fresh-$$
cleanup() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q --no-local . "$work/src"
echo "fresh clone of $(git -C "$work/src" rev-parse --short=12 HEAD) in $base"
# LeakSanitizer stops the world with ptrace; Chromium wants more than 64 MB
# of /dev/shm.
podman run --name "$name" --cap-add SYS_PTRACE --shm-size 1g -v "$work/src:/src" -w /src \
  "$base" bash -c 'node --version 2>/dev/null || echo "no node yet"; .ci/run; echo "node $(node --version)"'
