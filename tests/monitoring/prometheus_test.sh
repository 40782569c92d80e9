#!/usr/bin/env bash
# A real Prometheus (Debian's) scrapes a running parleyd with Parley's alert
# rules loaded; the test reads Parley metrics back through Prometheus's HTTP
# API after a voice turn, and checks that every family parleyd exports is in
# docs/metrics.md.
#   usage: prometheus_test.sh PARLEYD PARLEY_LOAD SOURCE_DIR
set -euo pipefail
parleyd=$1 load=$2 src=$3
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work"/*.log >&2 || true; exit 1; }
# Polls CMD until it succeeds, for up to SECONDS: each try is a real request.
until_ok() {
  local deadline=$(($(date +%s) + $1)); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.2; done
}

PARLEY_OPS_ADDR=127.0.0.1:0 PARLEY_VOICE_ADDR=127.0.0.1:0 PARLEY_STT=null PARLEY_TTS=null \
  PARLEY_LOG_LEVEL=info "$parleyd" >"$work/parleyd.log" 2>&1 &
pids+=($!)
# Each line is waited for: they come from different threads, in any order.
for line in '"supervision tree is up"' '"ops endpoint listening"' '"voice port listening"'; do
  timeout 30 grep -q -m1 "$line" <(tail -F "$work/parleyd.log" 2>/dev/null) ||
    fail "parleyd did not log $line"
done
ops=$(grep -m1 '"ops endpoint listening"' "$work/parleyd.log" | sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')
voice=$(grep -m1 '"voice port listening"' "$work/parleyd.log" | sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')

# One turn, so the turn and frame series have samples.
"$load" --url "ws://127.0.0.1:$voice/v1/voice" --sessions 1 --duration 2 --think-ms 0 \
  --think-jitter-ms 0 --out "$work/load.json" --quiet 2>/dev/null || fail "parley-load failed"
jq -e '.turns.answered >= 1' "$work/load.json" >/dev/null || fail "no turn answered"

prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$src/ops/monitoring/alerts.yml" "$work/"
cat >"$work/prometheus.yml" <<CONF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [alerts.yml]
scrape_configs:
  - job_name: parley
    static_configs: [{targets: ["127.0.0.1:$ops"]}]
CONF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$prom_port/api/v1
# JSON from the API, or failure: jq -e alone passes on empty input.
api_get() {
  local out
  out=$(curl -sf --get "$api/$1" ${2:+--data-urlencode "query=$2"}) && [ -n "$out" ] && echo "$out"
}
has_result() { api_get query "$1" | jq -e '.data.result | length > 0'; }
rules_healthy() {
  api_get rules | jq -e '[.data.groups[].rules[]] as $r | ($r | length) > 0 and
    ([$r[] | select(.health != "ok" or .lastEvaluation == "0001-01-01T00:00:00Z")] | length == 0)'
}
# Discovery hands targets to the scraper after ~5 s: wait for the sample.
until_ok 60 has_result 'up{job="parley"} == 1' || fail "Prometheus never scraped parleyd"
answered=$(api_get query 'parley_turns_total{job="parley"}' | jq -r '.data.result[0].value[1]')
[ "${answered:-0}" -ge 1 ] 2>/dev/null || fail "parley_turns_total through Prometheus is '$answered'"
has_result 'sum(parley_actors{job="parley"}) > 0' >/dev/null || fail "parley_actors is not in Prometheus"
until_ok 20 rules_healthy || fail "the alert rules did not evaluate cleanly: $(api_get rules)"
firing=$(api_get alerts | jq '[.data.alerts[] | select(.state == "firing")] | length')
[ "$firing" = 0 ] || fail "alerts fire on a healthy server: $(api_get alerts)"

# Every family parleyd exports is documented.
families=$(curl -sf "http://127.0.0.1:$ops/metrics" | sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' | sort -u)
for f in $families; do
  grep -q "\`$f\`" "$src/docs/metrics.md" || fail "$f is exported but not in docs/metrics.md"
done
echo "prometheus: ok (scraped, $answered turn(s) read back, $(wc -w <<<"$families") families documented)"
