#pragma once
// Runs the whole load: builds the speakers, drives them from a few pacing
// threads, shows progress, and returns what was measured.

#include <string>
#include <vector>

#include "loadtest/client/voice_connection.hpp"
#include "loadtest/load/options.hpp"
#include "loadtest/load/stats.hpp"

namespace parley::load {

struct run_outcome {
  run_stats::totals totals;
  std::string started_utc;  // ISO 8601
  double duration_s = 0;    // wall time from the first connect to the last close
  int sessions_requested = 0;
  std::size_t speech_packets = 0;
  double trimmed_ms = 0;  // the recording's quiet tail, not sent as speech
  std::uint64_t seed = 0;
  std::string run_id;
};

// Throws std::runtime_error when the audio cannot be used.
run_outcome run_load(const options& opts);

// The Opus packets of one utterance of `opts.audio` (its quiet tail cut), as
// every simulated speaker sends them.
std::vector<client::bytes> speech_packets(const options& opts);

}  // namespace parley::load
