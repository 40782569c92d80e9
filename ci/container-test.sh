#!/usr/bin/env bash
# The image and the deployment, end to end on loopback with podman:
#  1. the base image from Debian packages (debootstrap -> podman import) if
#     missing: no registry is reachable here;
#  2. the image from the Containerfile, checked to run as non-root;
#  3. a container of it becomes healthy through its own HEALTHCHECK;
#  4. deploy -> smoke -> deploy of an update -> a broken update that rolls
#     back by itself -> rollback, through a real nginx proxy.
# Prints the image size and the switch and rollback times on its last lines.
# Everything it starts is removed when it ends. Not part of .ci/run: building
# parleyd inside the image takes minutes of its own (see docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
step() { echo; echo "=== $* ($(($(date +%s) - start)) s)"; }
base=${BASE_IMAGE:-localhost/bookworm-base}
rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
version=$(sed -nE 's/^project\(parley VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
image=localhost/parley:$rev
state=$(mktemp -d /tmp/parley-deploy.XXXXXX)
export STATE_DIR=$state ENGINE=podman PROXY_PORT=${PROXY_PORT:-18088} DISABLE_HC_SYSTEMD=true
export PARLEY_LOAD=${PARLEY_LOAD:-$root/build/release/loadtest/parley-load}

cleanup() {
  for c in parley-blue parley-green parley-health; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  [ -s "$state/nginx.pid" ] && nginx -q -c "$state/nginx.conf" -s stop 2>/dev/null || true
  podman rmi -f "$image-update" "$image-broken" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

step "tools"
need=(nginx-light curl jq bc)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# nginx is run by the deploy scripts, not as a system service.
systemctl disable --now nginx >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true
[ -x "$PARLEY_LOAD" ] || ci/build.sh release

step "base image $base"
ci/base-image.sh "$base" >/dev/null

step "image $image"
podman build --format docker --build-arg BASE_IMAGE="$base" --build-arg PARLEY_VERSION="$version" \
  --build-arg PARLEY_REVISION="$rev" -t "$image" . | tail -3
size_mb=$(( $(podman image inspect --format '{{.Size}}' "$image") / 1000000 ))
user=$(podman image inspect --format '{{.Config.User}}' "$image")
[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ] ||
  { echo "the image runs as root ('$user')"; exit 1; }
[ "$size_mb" -lt 200 ] || { echo "the image is $size_mb MB, over 200"; exit 1; }
labels=$(podman image inspect --format '{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.revision"}}' "$image")
[ "$labels" = "$version $rev" ] || { echo "labels say '$labels', not '$version $rev'"; exit 1; }
podman run --rm "$image" --version | grep -q "parleyd $version ($rev" ||
  { echo "parleyd --version in the image does not say $version ($rev)"; exit 1; }
echo "image: $size_mb MB, user $user, version $version, revision $rev"

step "health check"
podman run -d --name parley-health "$image" >/dev/null
healthy=""
for _ in $(seq 1 120); do
  podman healthcheck run parley-health >/dev/null 2>&1 && { healthy=yes; break; }
  sleep 0.5
done
[ -n "$healthy" ] || { podman logs parley-health | tail -20; echo "never healthy"; exit 1; }
podman ps --filter name=parley-health --format '{{.Names}} {{.Status}}'
[ "$(podman exec parley-health id -u)" != 0 ] || { echo "parleyd runs as root"; exit 1; }
podman rm -f -t 0 parley-health >/dev/null

step "deploy, update, broken update, rollback (nginx on 127.0.0.1:$PROXY_PORT)"
podman tag "$image" "$image-update"
# A broken release: its configuration is refused at start, so it is never ready.
printf 'FROM %s\nENV PARLEY_ENV=nonsense\n' "$image" | podman build --format docker -q -t "$image-broken" - >/dev/null
export READY_TIMEOUT=30 DRAIN_SECONDS=2
ops/deploy/deploy.sh "$image" | tee "$state/deploy1.log"
ops/deploy/deploy.sh "$image-update" | tee "$state/deploy2.log"
switch_s=$(sed -n 's/^switch_seconds=//p' "$state/deploy2.log")
reload_s=$(sed -n 's/.*(the switch itself: \(.*\)s)$/\1/p' "$state/deploy2.log")
served=$(cat "$state/active")
if READY_TIMEOUT=10 ops/deploy/deploy.sh "$image-broken"; then
  echo "a broken image was deployed"; exit 1
fi
[ "$(cat "$state/active")" = "$served" ] || { echo "the proxy left $served"; exit 1; }
ops/deploy/smoke-test.sh "http://127.0.0.1:$( [ "$served" = blue ] && echo 18190 || echo 18290)" \
  "ws://127.0.0.1:$PROXY_PORT/v1/voice"
ops/deploy/rollback.sh | tee "$state/rollback.log"
rollback_s=$(sed -n 's/^rollback_seconds=//p' "$state/rollback.log")
[ "$(cat "$state/active")" != "$served" ] || { echo "rollback did not switch"; exit 1; }
ops/deploy/smoke-test.sh "http://127.0.0.1:$( [ "$served" = blue ] && echo 18290 || echo 18190)" \
  "ws://127.0.0.1:$PROXY_PORT/v1/voice"

step "done"
echo "image size: $size_mb MB ($image)"
echo "blue-green switch: ${switch_s}s from deploy start (container start, engines loaded, ready, smoke turn) to proxy switched; the nginx reload itself ${reload_s}s"
echo "rollback: ${rollback_s}s (previous color started, ready, proxy switched)"
