#!/usr/bin/env bash
# Back to the previous color and its image: start it again, wait until
# ready, switch the proxy to it, drain the current color.
#   usage: ops/deploy/rollback.sh        (env as for deploy.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
current=$(active)
previous=$(cat "$STATE_DIR/previous" 2>/dev/null || true)
[ -n "$previous" ] && [ -s "$STATE_DIR/image-$previous" ] ||
  { say "rollback: no previous deployment recorded in $STATE_DIR"; exit 1; }
image=$(cat "$STATE_DIR/image-$previous")
t0=$(now)
say "rollback to $previous ($image), away from ${current:-nothing}"
# The stopped container is started again if it is still what served before
# (same image and settings); otherwise a fresh one of the recorded image.
if [ "$("$ENGINE" inspect -f '{{.Config.Image}}' "parley-$previous" 2>/dev/null)" = "$image" ] &&
  "$ENGINE" start "parley-$previous" >/dev/null 2>&1; then
  say "restarted the stopped parley-$previous"
else
  start_color "$previous" "$image"
fi
wait_ready "$previous" || { say "rollback: $previous not ready within ${READY_TIMEOUT}s"; exit 1; }
switch_proxy "$previous"
switched=$(since "$t0")
echo "$current" >"$STATE_DIR/previous"
say "proxy switched back to $previous after ${switched}s"
[ -n "$current" ] && drain_color "$current"
echo "rollback_seconds=$switched"
