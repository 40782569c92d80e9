#pragma once
// What the simulated speakers measured, gathered from every pacing thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley::load {

struct summary {
  std::size_t count = 0;
  double p50 = 0, p95 = 0, p99 = 0, min = 0, max = 0, mean = 0;
};

// Nearest-rank percentiles; all zero for no samples.
summary summarize(std::vector<double> samples);
// One nearest-rank percentile (p in 0..1); zero for no samples.
double percentile(std::vector<double> samples, double p);

enum class turn_outcome { answered, no_reply, interrupted, timed_out, failed, abandoned };

struct turn_result {
  turn_outcome outcome = turn_outcome::answered;
  double reply_at_s = 0;             // since the run started: when the first reply frame came
  std::optional<double> latency_ms;  // last speech frame sent -> first reply frame
  // speech_ended received -> first reply frame received: what the server
  // spends once it has decided the turn is over (with null engines, all of
  // it is Parley's own overhead). Network delay is on both ends and cancels.
  std::optional<double> server_ms;
  bool complete = false;          // audio_ended came and its frames match what arrived
  std::vector<double> jitter_ms;  // |gap - 20 ms| between consecutive reply frames
};

// Counters and samples; thread-safe (pacers write, the progress line reads).
class run_stats {
 public:
  void connected() { ++connected_; }
  void disconnected_cleanly() { ++closed_; }
  void connect_error(const std::string& why) { count(connect_errors_, connect_why_, why); }
  void protocol_error(const std::string& why) { count(protocol_errors_, protocol_why_, why); }
  void disconnect_error(int close_code) {
    count(disconnect_errors_, close_codes_, std::to_string(close_code));
  }
  void error_event(const std::string& code) { count(error_events_, event_codes_, code); }
  void turn_started() { ++turns_started_; }
  // Something worth knowing that is not an error (e.g. a split utterance).
  void note(const std::string& what) {
    std::size_t ignored = 0;
    count(ignored, notes_, what);
  }
  void turn_finished(turn_result r);
  void pacer_late(double ms);

  struct progress {
    std::size_t connected, answered, errors;
    summary latency;
  };
  progress snapshot() const;

  struct totals {
    std::size_t connected, closed, turns_started, answered, complete, interrupted, no_reply,
        abandoned;
    std::size_t connect_errors, protocol_errors, turn_timeout_errors, disconnect_errors,
        error_events;
    summary latency, server, jitter, pacer_late;
    std::vector<std::pair<double, double>> timeline;  // (t_s, latency_ms) by time
    std::map<std::string, std::size_t> connect_why, protocol_why, close_codes, event_codes, notes;
  };
  totals collect() const;

 private:
  void count(std::size_t& n, std::map<std::string, std::size_t>& by, const std::string& why);

  std::atomic<std::size_t> connected_{0}, closed_{0}, turns_started_{0};
  mutable std::mutex mutex_;  // guards everything below
  std::size_t connect_errors_ = 0, protocol_errors_ = 0, turn_timeout_errors_ = 0,
              disconnect_errors_ = 0, error_events_ = 0;
  std::map<turn_outcome, std::size_t> outcomes_;
  std::size_t complete_ = 0;
  std::vector<double> latencies_, server_, jitter_, pacer_late_;
  std::vector<std::pair<double, double>> timeline_;
  std::map<std::string, std::size_t> connect_why_, protocol_why_, close_codes_, event_codes_,
      notes_;
};

}  // namespace parley::load
