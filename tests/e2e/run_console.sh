#!/usr/bin/env bash
# The ops console end to end: starts parleyd (chaos on, free ports) and parley-load for a
# few voice sessions, then runs console_test.mjs in headless Chromium against GET /ui.
# The test restarts parleyd itself on the same ops port; it writes the new pid to a file
# so this script's cleanup stops whichever parleyd is running.
# Usage: tests/e2e/run_console.sh PARLEYD_BINARY PARLEY_LOAD_BINARY
set -euo pipefail
parleyd=$(realpath "$1")
load=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=""
load_pid=""
stop() {
  local p=$1
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p"
    timeout 10 tail --pid="$p" -f /dev/null || kill -KILL "$p" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$load_pid"
  stop "$pid"
  [ -f "$work/parleyd.pid" ] && stop "$(cat "$work/parleyd.pid")"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in log log2; do
    [ -f "$work/$f" ] && { echo "--- parleyd $f (last 60 lines):" >&2; tail -n 60 "$work/$f" >&2; }
  done
  [ -f "$work/load.log" ] && { echo "--- parley-load:" >&2; tail -n 20 "$work/load.log" >&2; }
  exit 1
}

source "$here/browser_tools.sh"

ops_token=console-$RANDOM$RANDOM
# A short drain: the test stops parleyd mid-load and starts it again.
PARLEY_VOICE_ADDR=127.0.0.1:0 PARLEY_OPS_ADDR=127.0.0.1:0 PARLEY_CHAOS=1 PARLEY_OPS_TOKEN=$ops_token \
  PARLEY_DRAIN_SECONDS=1 "$parleyd" >"$work/log" 2>&1 &
pid=$!
# Ready when the voice port reports itself in the log (tail stops if parleyd dies).
line=$(timeout 15 grep -m1 '"msg":"voice port listening"' \
  <(tail -n +1 -F --pid="$pid" "$work/log" 2>/dev/null)) || fail "no \"voice port listening\" within 15 s"
port=$(sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/' <<<"$line")
[[ "$port" =~ ^[0-9]+$ ]] || fail "no port in: $line"
timeout 30 grep -q -m1 '"msg":"supervision tree is up"' \
  <(tail -n +1 -F --pid="$pid" "$work/log" 2>/dev/null) || fail "the supervision tree was not up within 30 s"
ops_line=$(grep -m1 '"msg":"ops endpoint listening"' "$work/log") || fail "no ops endpoint in the log"
ops_port=$(sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/' <<<"$ops_line")
echo "e2e console: parleyd voice port $port, ops port $ops_port"

# Four speakers in two guilds, for the tree's sessions and streams while the test runs.
"$load" --url "ws://127.0.0.1:$port/v1/voice" --sessions 4 --sessions-per-guild 2 --duration 60 \
  --quiet --out "$work/report.json" >"$work/load.log" 2>&1 &
load_pid=$!

PARLEY_CONSOLE_OPS="http://127.0.0.1:$ops_port" PARLEY_CONSOLE_TOKEN="$ops_token" \
  PARLEY_CONSOLE_PARLEYD="$parleyd" PARLEY_CONSOLE_PID="$pid" \
  PARLEY_CONSOLE_PIDFILE="$work/parleyd.pid" PARLEY_CONSOLE_LOG="$work/log2" \
  PARLEY_CONSOLE_SCREENSHOT="${PARLEY_CONSOLE_SCREENSHOT:-/tmp/parley-console.png}" \
  timeout 180 node "$here/console_test.mjs" || fail "the console test failed"
