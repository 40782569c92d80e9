#!/usr/bin/env bash
# Restart latency per actor kind: kill → replacement ready, as the supervisors
# measure it (parley_actor_recovery_seconds, from the down message to the
# replacement's ready). A load of SESSIONS speakers keeps sessions, streams
# and jobs alive while a random running actor of KINDS is killed through the
# ops endpoint every ~20 ms. Percentiles are the histogram bucket bounds that
# hold them (buckets 0.5, 1, 2, 3, 4, 5, 10, 25 ms...).
# Victims have run at least MIN_UPTIME_S (0.25 s): an isolated failure. A
# child killed again sooner is a restart storm, and its supervisor waits out a
# backoff on purpose (10 ms, doubling); MIN_UPTIME_S=0 measures that too.
#   usage: loadtest/bench_restart.sh      (env: SESSIONS=20 DURATION=30 MIN_UPTIME_S=0.25 BUILD_DIR=...)
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
n=${SESSIONS:-20}
duration=${DURATION:-30}
kinds=${KINDS:-audio_stream guild_session stt_job agent tts_job}
min_up=${MIN_UPTIME_S:-0.25}
token=bench-ops-token-0123456789

start_parleyd "$out_dir/parleyd-restart.log" PARLEY_STT=null PARLEY_TTS=null PARLEY_CHAOS=1 \
  PARLEY_OPS_TOKEN=$token PARLEY_RESTART_MAX=10000 PARLEY_MAX_SESSIONS=$((n + 100)) \
  PARLEY_MAX_PER_ADDRESS=$((n + 100))
ops_port=$(grep -m1 '"ops endpoint listening"' "$out_dir/parleyd-restart.log" |
  sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')
ops=http://127.0.0.1:$ops_port
"$load" --url "ws://127.0.0.1:$voice_port/v1/voice" --sessions "$n" --duration "$duration" \
  --think-ms 200 --think-jitter-ms 100 --out "$out_dir/restart-load.json" --quiet 2>/dev/null &
client=$!
wanted=$(printf '"%s",' $kinds)
end=$(($(date +%s) + duration - 2))
kills=0
while [ "$(date +%s)" -lt "$end" ]; do
  victim=$(curl -sf "$ops/actors" | jq -r "[.. | objects | select(has(\"kind\") and .state == \"running\" and .uptime_s >= $min_up and (.kind | IN(${wanted%,})))] | .[].id" | shuf -n1 || true)
  if [ -n "$victim" ] &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$ops/actors/$victim/kill")" = 202 ]; then
    kills=$((kills + 1))
  fi
  sleep 0.02
done
wait "$client" || true
metrics=$(curl -sf "$ops/metrics")
stop_parleyd

echo "## Restart latency per actor kind, null engines"
echo
machine
echo
echo "| kind | restarts measured | p50 ≤ ms | p99 ≤ ms | mean ms |"
echo "| --- | ---: | ---: | ---: | ---: |"
for kind in $kinds; do
  echo "$metrics" | awk -v k="$kind" '
    index($0, "parley_actor_recovery_seconds_bucket{kind=\"" k "\"") == 1 {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      n++; bound[n] = le; cum[n] = $NF }
    index($0, "parley_actor_recovery_seconds_sum{kind=\"" k "\"") == 1 { sum = $NF }
    index($0, "parley_actor_recovery_seconds_count{kind=\"" k "\"") == 1 { count = $NF }
    function q(p,   i) { for (i = 1; i <= n; i++) if (cum[i] >= p * count) return bound[i] == "+Inf" ? "+Inf" : bound[i] * 1000; }
    END { if (count > 0) printf "| %s | %d | %s | %s | %.2f |\n", k, count, q(0.5), q(0.99), sum / count * 1000;
          else printf "| %s | 0 | | | |\n", k }'
done
echo
echo "$kills kills in $duration s, of actors up for at least ${min_up} s. Load: \`parley-load --sessions $n --duration $duration --think-ms 200\` against \`PARLEY_STT=null PARLEY_TTS=null PARLEY_CHAOS=1 parleyd\`; victims picked from \`GET /actors\`, killed with \`POST /actors/{id}/kill\`."
echo "Load errors (kills cost turns here; the chaos suite is what asserts none is lost): $(jq .total_errors "$out_dir/restart-load.json")"
