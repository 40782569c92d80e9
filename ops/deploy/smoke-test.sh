#!/usr/bin/env bash
# Smoke test of one running parleyd: health, readiness, metrics, version,
# and one real voice turn ("go forward ten meters", answered with audio).
#   usage: ops/deploy/smoke-test.sh OPS_URL VOICE_URL
#   e.g.   ops/deploy/smoke-test.sh http://127.0.0.1:9090 ws://127.0.0.1:8088/v1/voice
# The voice turn needs parley-load (PARLEY_LOAD, or on PATH) and a recording
# (SMOKE_AUDIO, default pocketsphinx-testdata's goforward.raw).
set -euo pipefail
ops=${1:?ops URL}
voice=${2:?voice URL}
load=${PARLEY_LOAD:-$(command -v parley-load || true)}
audio=${SMOKE_AUDIO:-/usr/share/pocketsphinx/test/data/goforward.raw}
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

for path in /livez /readyz; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$ops$path") || code=000
  [ "$code" = 200 ] || fail "$path answered $code"
done
# Read whole before grep: grep -q stops early, and under pipefail curl's
# broken pipe would fail the check.
metrics=$(curl -sf --max-time 5 "$ops/metrics") || fail "/metrics did not answer"
grep -q '^parley_' <<<"$metrics" || fail "/metrics has no parley_ series"
version=$(curl -sf --max-time 5 "$ops/version" | jq -r .version) || fail "/version unreadable"

[ -x "$load" ] || fail "parley-load not found (set PARLEY_LOAD)"
report=$(mktemp /tmp/parley-smoke.XXXXXX.json)
trap 'rm -f "$report" "${report%.json}.html"' EXIT
"$load" --url "$voice" --sessions 1 --duration 3 --think-ms 0 --think-jitter-ms 0 \
  --turn-timeout 15 --audio "$audio" --out "$report" --quiet 2>/dev/null ||
  fail "parley-load could not run a session"
jq -e '.sessions.connected == 1 and .turns.answered >= 1 and .total_errors == 0' "$report" \
  >/dev/null || fail "no clean voice turn: $(jq -c '{sessions, turns, total_errors, diagnostics}' "$report")"
echo "smoke: ok (version $version, $(jq .turns.answered "$report") turn(s) answered, latency p50 $(jq .latency_ms.p50 "$report") ms)"
