#include "loadtest/load/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace parley::load {

namespace {

double nearest_rank(const std::vector<double>& sorted, double p) {
  const auto n = sorted.size();
  const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
  return sorted[std::clamp<std::size_t>(k, 1, n) - 1];
}

}  // namespace

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return nearest_rank(samples, p);
}

summary summarize(std::vector<double> samples) {
  summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const auto n = samples.size();
  auto rank = [&](double p) { return nearest_rank(samples, p); };
  s.count = n;
  s.p50 = rank(0.50);
  s.p95 = rank(0.95);
  s.p99 = rank(0.99);
  s.min = samples.front();
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(n);
  return s;
}

void run_stats::count(std::size_t& n, std::map<std::string, std::size_t>& by,
                      const std::string& why) {
  std::lock_guard<std::mutex> g(mutex_);
  ++n;
  ++by[why];
}

void run_stats::turn_finished(turn_result r) {
  std::lock_guard<std::mutex> g(mutex_);
  ++outcomes_[r.outcome];
  if (r.outcome == turn_outcome::timed_out) ++turn_timeout_errors_;
  if (r.complete) ++complete_;
  if (r.latency_ms) {
    latencies_.push_back(*r.latency_ms);
    timeline_.emplace_back(r.reply_at_s, *r.latency_ms);
  }
  if (r.server_ms) server_.push_back(*r.server_ms);
  jitter_.insert(jitter_.end(), r.jitter_ms.begin(), r.jitter_ms.end());
}

void run_stats::pacer_late(double ms) {
  std::lock_guard<std::mutex> g(mutex_);
  pacer_late_.push_back(ms);
}

run_stats::progress run_stats::snapshot() const {
  std::lock_guard<std::mutex> g(mutex_);
  return {connected_.load(), latencies_.size(),
          connect_errors_ + protocol_errors_ + turn_timeout_errors_ + disconnect_errors_ +
              error_events_,
          summarize(latencies_)};
}

run_stats::totals run_stats::collect() const {
  std::lock_guard<std::mutex> g(mutex_);
  auto outcome = [&](turn_outcome o) {
    auto it = outcomes_.find(o);
    return it == outcomes_.end() ? std::size_t{0} : it->second;
  };
  totals t{};
  t.connected = connected_;
  t.closed = closed_;
  t.turns_started = turns_started_;
  t.answered = latencies_.size();
  t.complete = complete_;
  t.interrupted = outcome(turn_outcome::interrupted);
  t.no_reply = outcome(turn_outcome::no_reply);
  t.abandoned = outcome(turn_outcome::abandoned);
  t.connect_errors = connect_errors_;
  t.protocol_errors = protocol_errors_;
  t.turn_timeout_errors = turn_timeout_errors_;
  t.disconnect_errors = disconnect_errors_;
  t.error_events = error_events_;
  t.latency = summarize(latencies_);
  t.server = summarize(server_);
  t.jitter = summarize(jitter_);
  t.pacer_late = summarize(pacer_late_);
  t.timeline = timeline_;
  std::sort(t.timeline.begin(), t.timeline.end());
  t.connect_why = connect_why_;
  t.protocol_why = protocol_why_;
  t.close_codes = close_codes_;
  t.event_codes = event_codes_;
  t.notes = notes_;
  return t;
}

}  // namespace parley::load
