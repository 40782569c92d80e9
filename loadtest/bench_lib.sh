# Shared by bench_turn_latency.sh and bench_overhead.sh (source it).
# Binaries: $PARLEYD and $PARLEY_LOAD, or $BUILD_DIR (default build) under the repo.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
parleyd=${PARLEYD:-$build/runtime/parleyd}
load=${PARLEY_LOAD:-$build/loadtest/parley-load}
out_dir=${OUT_DIR:-$(mktemp -d /tmp/parley-bench.XXXXXX)}
mkdir -p "$out_dir"
for b in "$parleyd" "$load"; do
  [ -x "$b" ] || { echo "missing $b (build it, or set PARLEYD / PARLEY_LOAD / BUILD_DIR)" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
parleyd_pid=""
trap '[ -n "$parleyd_pid" ] && kill "$parleyd_pid" 2>/dev/null' EXIT

# start_parleyd LOG VAR=VALUE...: parleyd on free loopback ports; sets
# parleyd_pid and voice_port.
start_parleyd() {
  local log=$1
  shift
  env PARLEY_VOICE_ADDR=127.0.0.1:0 PARLEY_OPS_ADDR=127.0.0.1:0 PARLEY_LOG_LEVEL=info "$@" \
    "$parleyd" >"$log" 2>&1 &
  parleyd_pid=$!
  local line
  for line in '"supervision tree is up"' '"voice port listening"'; do  # in any order
    timeout 60 grep -q -m1 "$line" <(tail -F "$log" 2>/dev/null) ||
      { echo "parleyd did not come up; see $log" >&2; exit 1; }
  done
  voice_port=$(grep -m1 '"voice port listening"' "$log" | sed -E 's/.*"addr":"[^"]*:([0-9]+)".*/\1/')
}

stop_parleyd() {
  kill "$parleyd_pid"
  wait "$parleyd_pid" 2>/dev/null || true
  parleyd_pid=""
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}

rss_mb() {
  awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"
}

machine() {
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- parleyd: $("$parleyd" --version 2>/dev/null | head -1)"
  echo "- reports (JSON + HTML): $out_dir"
}

# Notes what the server refused, which a table of latencies would hide.
refusals() {
  jq -r '.diagnostics.connect_failures | to_entries[] | "  - \(.value) connections refused: \(.key)"' "$1"
}
