#include "loadtest/load/report.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>

namespace parley::load {
namespace {

using nlohmann::json;

double round3(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

json to_json(const summary& s) {
  return {{"count", s.count},      {"p50", round3(s.p50)}, {"p95", round3(s.p95)},
          {"p99", round3(s.p99)},  {"min", round3(s.min)}, {"max", round3(s.max)},
          {"mean", round3(s.mean)}};
}

json config_json(const options& o, const run_outcome& run) {
  return {{"url", o.url},
          {"sessions", o.sessions},
          {"duration_s", o.duration_s},
          {"ramp_up_s", o.ramp_up_s},
          {"spike_at_s", o.spike_at_s >= 0 ? json(o.spike_at_s) : json(nullptr)},
          {"spike_sessions", o.spike_at_s >= 0 ? o.spike_sessions : 0},
          {"think_ms", o.think_ms},
          {"think_jitter_ms", o.think_jitter_ms},
          {"turn_timeout_s", o.turn_timeout_s},
          {"connect_timeout_s", o.connect_timeout_s},
          {"sessions_per_guild", o.guilds > 0 ? json(nullptr) : json(o.sessions_per_guild)},
          {"guilds", o.guilds > 0 ? json(o.guilds) : json(nullptr)},
          {"audio", o.audio},
          {"speech_packets", run.speech_packets},
          {"speech_ms", run.speech_packets * 20},
          {"trimmed_tail_ms", run.trimmed_ms},
          {"io_threads", o.io_threads},
          {"pacers", o.pacers},
          {"seed", run.seed},
          {"run_id", run.run_id}};
}

}  // namespace

json json_report(const options& opts, const run_outcome& run) {
  const auto& t = run.totals;
  json timeline = json::array();
  for (const auto& [at, ms] : t.timeline) timeline.push_back({round3(at), round3(ms)});
  const auto total_errors = t.connect_errors + t.protocol_errors + t.turn_timeout_errors +
                            t.disconnect_errors + t.error_events;
  return {
      {"tool", "parley-load"},
      {"config", config_json(opts, run)},
      {"started", run.started_utc},
      {"duration_s", round3(run.duration_s)},
      {"sessions",
       {{"requested", run.sessions_requested}, {"connected", t.connected}, {"closed", t.closed}}},
      {"turns",
       {{"started", t.turns_started},
        {"answered", t.answered},
        {"complete", t.complete},
        {"interrupted", t.interrupted},
        {"no_reply", t.no_reply},
        {"abandoned", t.abandoned}}},
      {"latency_ms", to_json(t.latency)},
      {"server_ms", to_json(t.server)},
      {"jitter_ms", to_json(t.jitter)},
      {"connect_errors", t.connect_errors},
      {"protocol_errors", t.protocol_errors},
      {"turn_timeout_errors", t.turn_timeout_errors},
      {"disconnect_errors", t.disconnect_errors},
      {"error_events", t.error_events},
      {"total_errors", total_errors},
      // Why the errors happened; values are counts by reason.
      {"diagnostics",
       {{"connect_failures", t.connect_why},
        {"protocol_violations", t.protocol_why},
        {"close_codes", t.close_codes},
        {"event_codes", t.event_codes},
        {"notes", t.notes}}},
      {"client", {{"pacer_late_ms", to_json(t.pacer_late)}}},
      {"timeline", timeline},
  };
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace parley::load
