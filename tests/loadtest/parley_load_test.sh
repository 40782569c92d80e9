#!/usr/bin/env bash
# parley-load drives 10 sessions for 6 s against parleyd with null engines
# (fixed transcript, 400 ms tone); the JSON report must show every error
# counter at zero, answered and complete turns, and the HTML report must be
# self-contained. Also: bad flags exit 2, nothing to connect to exits 1.
set -euo pipefail
parleyd=$1
load=$2
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- parleyd log (tail):" >&2
  tail -n 30 "$work/log" >&2 || true
  exit 1
}

PARLEY_VOICE_ADDR=127.0.0.1:0 PARLEY_OPS_ADDR=127.0.0.1:0 PARLEY_STT=null PARLEY_TTS=null \
  PARLEY_LOG_LEVEL=info "$parleyd" >"$work/log" 2>&1 &
pid=$!
timeout 10 grep -q -m1 '"voice port listening"' <(tail -F "$work/log" 2>/dev/null) ||
  fail "parleyd did not open its voice port within 10 s"
port=$(grep -m1 '"voice port listening"' "$work/log" | sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')
[[ "$port" =~ ^[0-9]+$ ]] || fail "no voice port in the log"

"$load" --url "ws://127.0.0.1:$port/v1/voice" --sessions 10 --duration 6 --ramp-up 1 \
  --think-ms 500 --think-jitter-ms 200 --turn-timeout 10 --out "$work/report.json" --quiet ||
  fail "parley-load exited with $?"
r=$work/report.json
jq -c '{sessions, turns, latency_ms, server_ms, jitter_ms, total_errors, diagnostics}' "$r"

errors=$(jq '[.. | objects | to_entries[] | select(.key | test("error")) | .value] | add' "$r")
[ "$errors" = 0 ] || fail "errors in the report: $(jq -c 'with_entries(select(.key|test("error")))' "$r")"
jq -e '.sessions.connected == 10 and .sessions.requested == 10' "$r" >/dev/null ||
  fail "not every session connected"
jq -e '.turns.answered > 0 and .turns.complete == .turns.answered' "$r" >/dev/null ||
  fail "no answered turns, or replies incomplete"
jq -e '.turns.started >= 10 and .turns.interrupted == 0 and .turns.no_reply == 0' "$r" >/dev/null ||
  fail "turns missing or cut off"
# The turn includes the server's 300 ms silence window, less what the server
# itself counted as silence at the end of the recording; it cannot be instant.
jq -e '.latency_ms.count == .turns.answered and .latency_ms.p50 > 50 and .latency_ms.p99 < 5000' \
  "$r" >/dev/null || fail "implausible latencies: $(jq -c .latency_ms "$r")"
# The server's own part (speech_ended to the first reply frame) is inside
# the turn and measured on every answered turn.
jq -e '.server_ms.count == .turns.answered and .server_ms.p50 > 0 and
       .server_ms.p99 < .latency_ms.max' "$r" >/dev/null ||
  fail "server time missing or larger than the turn: $(jq -c .server_ms "$r")"
jq -e '(.timeline | length) == .turns.answered and .jitter_ms.count > 0' "$r" >/dev/null ||
  fail "timeline or jitter samples missing"

h=$work/report.html
grep -q '<svg' "$h" || fail "no inline SVG in the HTML report"
[ "$(grep -o '<circle' "$h" | wc -l)" -ge "$(jq '.turns.answered' "$r")" ] || fail "the plot lacks turns"
if grep -Eq "(src|href)=|url\(|@import" "$h"; then fail "the HTML report loads external resources"; fi

set +e
"$load" --sessions zero >/dev/null 2>"$work/bad"
status=$?
set -e
[ "$status" = 2 ] || fail "bad flags exited with $status, not 2"
grep -q -- "--sessions" "$work/bad" || fail "the bad-flag message does not name the flag"

kill "$pid"
wait "$pid" || true
pid=""
set +e
"$load" --url "ws://127.0.0.1:$port/v1/voice" --sessions 2 --duration 1 --connect-timeout 2 \
  --out "$work/none.json" --quiet 2>/dev/null
status=$?
set -e
[ "$status" = 1 ] || fail "with nothing listening parley-load exited with $status, not 1"
jq -e '.connect_errors == 2' "$work/none.json" >/dev/null || fail "connect errors not counted"
echo "parley-load: ok"
