#!/usr/bin/env bash
# The alert rules load (promtool check rules) and each alert fires exactly on
# its test series (promtool test rules); each has its docs/runbook.md entry;
# the dashboard is valid JSON with a
# panel for each thing operators watch; every metric the rules and the
# dashboard use is one docs/metrics.md documents.
#   usage: rules_test.sh SOURCE_DIR
set -euo pipefail
src=$1
mon=$src/ops/monitoring
fail() { echo "FAIL: $*" >&2; exit 1; }

promtool check rules "$mon/alerts.yml"
(cd "$mon" && promtool test rules alerts_test.yml)
promtool check config "$mon/prometheus.yml" >/dev/null || fail "prometheus.yml does not load"

dash=$mon/grafana/parley.json
jq -e '.panels | length > 0' "$dash" >/dev/null || fail "the dashboard has no panels"
for want in parley_sessions parley_turn_latency_seconds parley_actor_restarts_total \
  parley_actor_recovery_seconds parley_turn_errors_total parley_frames_in_total \
  parley_frames_out_total; do
  jq -e --arg m "$want" '[.panels[].targets[].expr | select(contains($m))] | length > 0' "$dash" \
    >/dev/null || fail "no dashboard panel shows $want"
done
jq -e '[.panels[] | select(.targets | length == 0)] | length == 0' "$dash" >/dev/null ||
  fail "a panel has no query"

documented=$(grep -o '^| `[a-z_]*`' "$src/docs/metrics.md" | tr -d '|` ' | sort -u)
documented+=$'\n'$(grep -o '`process_[a-z_]*`' "$src/docs/metrics.md" | tr -d '`' | sort -u)
used=$( (jq -r '.panels[].targets[].expr' "$dash"; grep -E '^\s+expr:|^\s+(sum|/|\()' "$mon/alerts.yml") |
  grep -oE '(parley|process)_[a-z_]+' | grep -v '^parley_[a-z_]*:' | sed -E 's/_(bucket|sum|count)$//' | sort -u)
for m in $used; do
  grep -qx "$m" <<<"$documented" || fail "$m is used by a rule or panel but not in docs/metrics.md"
done
# Every alert has its runbook entry.
for r in $(grep -oE 'runbook: [a-z-]+' "$mon/alerts.yml" | cut -d' ' -f2 | sort -u); do
  grep -qx "## $r" "$src/docs/runbook.md" || fail "alert runbook '$r' has no entry in docs/runbook.md"
done
echo "rules and dashboard: ok ($(wc -w <<<"$used") metrics used, all documented)"
