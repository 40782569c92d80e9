#pragma once
// Offline TTS with espeak-ng 1.51 (22050 Hz).

#include "actors/tts/synthesizer.hpp"

namespace parley::tts {

struct espeak_config {
  std::string voice = "en";
  int rate_wpm = 175;  // espeak-ng's default speed
  // The espeak-ng-data directory itself; "" uses the library's built-in path. The first
  // engine in the process initialises espeak-ng, so later engines share its data path.
  std::string data_path;
};

// espeak-ng keeps one global instance and corrupts memory when used from two threads:
// every call of every espeak_engine goes through one process-wide lock, so concurrent
// callers are safe but take turns.
class espeak_engine : public tts_engine {
 public:
  // Throws std::runtime_error if espeak-ng cannot be initialised or the voice is unknown.
  explicit espeak_engine(espeak_config config = {});
  std::string name() const override { return "espeak-ng"; }
  int sample_rate() const override { return sample_rate_; }
  bool synthesize(const std::string& sentence,
                  const std::function<bool(const int16_t*, size_t)>& sink) override;

 private:
  espeak_config config_;
  int sample_rate_ = 0;
};

}  // namespace parley::tts
