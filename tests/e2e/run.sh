#!/usr/bin/env bash
# The browser page end to end: starts parleyd on free ports, makes the fake microphone's
# WAV from the pocketsphinx recording, and runs browser_test.mjs in headless Chromium.
# Usage: tests/e2e/run.sh PARLEYD_BINARY
set -euo pipefail
parleyd=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    timeout 10 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && { echo "--- parleyd log (last 80 lines):" >&2; tail -n 80 "$work/log" >&2; }; exit 1; }

source "$here/browser_tools.sh"

raw=/usr/share/pocketsphinx/test/data/goforward.raw
[ -f "$raw" ] || fail "$raw is missing (Debian package pocketsphinx-en-us / libpocketsphinx test data)"
# "go forward ten meters" with 0.5 s of silence before and 1.5 s after, for the end of turn.
sox -t raw -r 16000 -e signed-integer -b 16 -c 1 "$raw" "$work/goforward.wav" pad 0.5 1.5 ||
  fail "sox could not make the WAV"

# Chaos on: the test kills the page's connection actor through the ops endpoint.
ops_token=e2e-$RANDOM$RANDOM
PARLEY_VOICE_ADDR=127.0.0.1:0 PARLEY_OPS_ADDR=127.0.0.1:0 PARLEY_CHAOS=1 PARLEY_OPS_TOKEN=$ops_token \
  "$parleyd" >"$work/log" 2>&1 &
pid=$!
# Ready when the voice port reports itself in the log (tail stops if parleyd dies).
line=$(timeout 15 grep -m1 '"msg":"voice port listening"' \
  <(tail -n +1 -F --pid="$pid" "$work/log" 2>/dev/null)) || fail "no \"voice port listening\" within 15 s"
port=$(sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/' <<<"$line")
[[ "$port" =~ ^[0-9]+$ ]] || fail "no port in: $line"
# The speech engines load after the port opens: the tree is up once they have.
timeout 30 grep -q -m1 '"msg":"supervision tree is up"' \
  <(tail -n +1 -F --pid="$pid" "$work/log" 2>/dev/null) || fail "the supervision tree was not up within 30 s"
ops_line=$(grep -m1 '"msg":"ops endpoint listening"' "$work/log") || fail "no ops endpoint in the log"
ops_port=$(sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/' <<<"$ops_line")
echo "e2e: parleyd voice port $port, ops port $ops_port"

PARLEY_E2E_URL="http://127.0.0.1:$port/" PARLEY_E2E_WAV="$work/goforward.wav" \
  PARLEY_E2E_OPS="http://127.0.0.1:$ops_port" PARLEY_E2E_OPS_TOKEN="$ops_token" \
  PARLEY_E2E_SCREENSHOT="${PARLEY_E2E_SCREENSHOT:-/tmp/parley-e2e.png}" \
  timeout 90 node "$here/browser_test.mjs" || fail "the browser test failed"
