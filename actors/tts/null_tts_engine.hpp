#pragma once
// A TTS engine that does no work: a fixed tone, for measuring the server's own overhead.

#include "actors/tts/synthesizer.hpp"

#include <chrono>

namespace parley::tts {

struct null_tts_config {
  std::chrono::milliseconds duration{400};
  double frequency_hz = 440.0;
  int sample_rate = 16000;
  int16_t amplitude = 8000;
};

// Stateless: safe to call from any number of threads at once.
class null_engine : public tts_engine {
 public:
  explicit null_engine(null_tts_config config = {});
  std::string name() const override { return "null"; }
  int sample_rate() const override { return config_.sample_rate; }
  // Delivers exactly duration * sample_rate samples in 20 ms chunks, whatever the sentence.
  bool synthesize(const std::string& sentence,
                  const std::function<bool(const int16_t*, size_t)>& sink) override;

 private:
  null_tts_config config_;
};

}  // namespace parley::tts
