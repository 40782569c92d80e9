#pragma once
// A sink for the remote speech tests: what arrived, when the first audio
// came, and a switch the test turns to cancel (as a barge-in does).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "actors/tts/remote_tts.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"

namespace parley::tts::test {

struct remote_sink {
  using clock_type = std::chrono::steady_clock;
  std::vector<int16_t> samples;
  std::optional<clock_type::time_point> first_audio;
  std::optional<clock_type::time_point> cancelled_at;  // when it first answered false
  std::size_t polls = 0;                               // calls with n == 0
  // Asked on every call with the samples so far: false cancels.
  std::function<bool(std::size_t)> wanted = [](std::size_t) { return true; };

  audio_sink sink() {
    return [this](const int16_t* pcm, std::size_t n) {
      if (n == 0) ++polls;
      if (n > 0 && !first_audio) first_audio = clock_type::now();
      samples.insert(samples.end(), pcm, pcm + n);
      const bool keep = wanted(samples.size());
      if (!keep && !cancelled_at) cancelled_at = clock_type::now();
      return keep;
    };
  }
};

// Short limits, so that failures show within a test's patience.
inline remote_tts_limits test_limits() {
  using namespace std::chrono_literals;
  remote_tts_limits l;
  l.connect = 500ms;
  l.first_byte = 300ms;
  l.stall = 300ms;
  l.total = 3000ms;
  return l;
}

inline double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace parley::tts::test
