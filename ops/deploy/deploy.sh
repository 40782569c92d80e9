#!/usr/bin/env bash
# Blue-green deploy of IMAGE: start it as the idle color, wait until ready,
# smoke-test it, switch the nginx proxy to it, smoke-test through the proxy,
# then drain and stop the old color. If the new color is not ready or fails
# a smoke test within the deadlines, the proxy stays on (or goes back to)
# the old color and the new one is removed: exit 1.
#   usage: ops/deploy/deploy.sh IMAGE
#   env: ENGINE (podman|docker), STATE_DIR, PROXY_PORT, ENV_FILE, READY_TIMEOUT,
#        DRAIN_SECONDS, PARLEY_LOAD (for the smoke test's voice turn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
image=${1:?usage: deploy.sh IMAGE}
old=$(active)
new=$(other "${old:-green}")
t0=$(now)
say "deploy $image as $new (serving: ${old:-nothing})"

give_up() {
  say "deploy failed: $*; staying on ${old:-nothing}"
  [ -n "$old" ] && switch_proxy "$old"
  "$ENGINE" logs --tail 20 "parley-$new" 2>&1 | sed 's/^/  parley-'"$new"': /' || true
  "$ENGINE" rm -f "parley-$new" >/dev/null 2>&1 || true
  exit 1
}

start_color "$new" "$image" || give_up "could not start the container"
wait_ready "$new" || give_up "not ready (it exited, or took over ${READY_TIMEOUT}s)"
"$here/smoke-test.sh" "http://127.0.0.1:$(ops_port "$new")" \
  "ws://127.0.0.1:$(voice_port "$new")/v1/voice" || give_up "smoke test of $new failed"
t_switch=$(now)
switch_proxy "$new"
switched=$(since "$t0")
say "proxy switched to $new after ${switched}s (the switch itself: $(since "$t_switch")s)"
"$here/smoke-test.sh" "http://127.0.0.1:$(ops_port "$new")" \
  "ws://127.0.0.1:$PROXY_PORT/v1/voice" || give_up "smoke test through the proxy failed"
# Only an image that served is recorded: a rollback goes back to it.
echo "$image" >"$STATE_DIR/image-$new"
if [ -n "$old" ]; then
  echo "$old" >"$STATE_DIR/previous"
  say "draining $old (up to ${DRAIN_SECONDS}s)"
  drain_color "$old"
fi
say "deployed $image as $new; switch took ${switched}s, whole deploy $(since "$t0")s"
echo "switch_seconds=$switched"
