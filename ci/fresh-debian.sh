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
args=(--name "$name" --cap-add SYS_PTRACE --shm-size 1g -v "$work/src:/src" -w /src)
# A machine whose way out re-signs TLS (a company proxy) trusts that CA in
# its own store: the container gets the same trust for npm, nothing more.
ca=/etc/ssl/certs/ca-certificates.crt
if [ -f "$ca" ]; then
  args+=(-v "$ca:/etc/parley-host-ca.crt:ro" -e NODE_EXTRA_CA_CERTS=/etc/parley-host-ca.crt
    -e npm_config_cafile=/etc/parley-host-ca.crt)
fi
podman run "${args[@]}" "$base" bash -c \
  'set -e; node --version 2>/dev/null || echo "no node yet"; .ci/run; echo "passed with node $(node --version)"'
