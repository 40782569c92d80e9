#!/usr/bin/env bash
# The real parleyd binary as an operator sees it: ready (and how soon), metrics
# that promtool accepts, the actor tree, a kill that is replaced and counted
# within a second, 401 without the token, `parleyd --health` (the image's
# HEALTHCHECK) saying so, and exit 0 on SIGTERM.
set -euo pipefail
parleyd=$1
token=smoke-test-token-42
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- parleyd log:" >&2; cat "$work/log" >&2; exit 1; }

t0=$(date +%s%N)
PARLEY_OPS_ADDR=127.0.0.1:0 PARLEY_VOICE_ADDR=127.0.0.1:0 PARLEY_CHAOS=1 \
  PARLEY_OPS_TOKEN=$token PARLEY_LOG_LEVEL=info "$parleyd" >"$work/log" &
pid=$!
# The tree reports itself up in the log: wait for that line, not a timer.
# (How fast is a benchmark's question: in the sanitizer build, beside the
# browser test on two cores, start-up has taken over 5 s.)
timeout 30 grep -q -m1 '"supervision tree is up"' <(tail -F "$work/log" 2>/dev/null) ||
  fail "the tree was not up within 30 s"
timeout 5 grep -q -m1 '"ops endpoint listening"' <(tail -F "$work/log" 2>/dev/null) ||
  fail "the ops endpoint did not start"
port=$(grep -m1 '"ops endpoint listening"' "$work/log" | sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')
base=http://127.0.0.1:$port
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")
ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$code" = 200 ] || fail "/readyz answered $code"
echo "ready after ${ready_ms} ms"

curl -sf "$base/metrics" >"$work/metrics"
promtool check metrics <"$work/metrics" || fail "promtool rejected /metrics"
echo "promtool accepts /metrics ($(grep -c '^# TYPE' "$work/metrics") families)"

curl -sf "$base/actors" >"$work/actors"
jq -e '.[0].children[] | select(.labels.name == "sessions")' "$work/actors" >/dev/null || fail "/actors lacks the sessions supervisor"
victim=$(jq '.[0].children[] | select(.labels.name == "engines") | .id' "$work/actors")
[[ "$victim" =~ ^[0-9]+$ ]] || fail "no engines supervisor in /actors"

code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/actors/$victim/kill")
[ "$code" = 401 ] || fail "kill without a token answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
  "$base/actors/$victim/kill")
[ "$code" = 202 ] || fail "kill answered $code"
killed_at=$(date +%s%N)
# Each probe is an HTTP round trip; give up after one second.
replaced=""
while [ $(( ($(date +%s%N) - killed_at) / 1000000 )) -lt 1000 ]; do
  if [ "$(curl -sf "$base/actors/$victim" | jq '.restarts')" = 1 ] &&
     grep -q 'parley_actor_restarts_total{kind="supervisor",reason="kill"} 1' <<<"$(curl -sf "$base/metrics")"; then
    replaced=yes
    break
  fi
done
[ -n "$replaced" ] || fail "no replacement with restarts 1 and a counted restart within 1 s"
echo "replacement and metric seen $(( ($(date +%s%N) - killed_at) / 1000000 )) ms after the kill"
# The replaced engines reload their models; the server is ready again after.
timeout 10 bash -c "until curl -sf $base/readyz >/dev/null; do curl -sf $base/actors/$victim >/dev/null; done" ||
  fail "not ready again after the kill"
grep -q "$token" "$work/log" && fail "the ops token appears in the log"
PARLEY_OPS_ADDR=127.0.0.1:$port "$parleyd" --health || fail "--health failed on a live server"
PARLEY_OPS_ADDR=127.0.0.1:$port "$parleyd" --health /readyz ||
  fail "--health /readyz failed: $(curl -s "$base/readyz")"
PARLEY_OPS_ADDR=127.0.0.1:$port "$parleyd" --health /no-such-route 2>/dev/null &&
  fail "--health accepted a 404"

kill -TERM "$pid"
wait "$pid" && status=0 || status=$?
[ "$status" = 0 ] || fail "exit status $status after SIGTERM"
PARLEY_OPS_ADDR=127.0.0.1:$port "$parleyd" --health 2>/dev/null && fail "--health passed with no server"
echo "smoke: ok"
