#pragma once
// Offline TTS with CMU flite 2.2 and its cmu_us_slt voice (16 kHz).

#include "actors/tts/synthesizer.hpp"

#include <memory>

namespace parley::tts {

struct flite_config {
  // Smallest chunk flite hands to the sink; 320 samples = 20 ms at 16 kHz.
  int min_chunk_samples = 320;
};

// Thread-safe: any number of threads may call synthesize() on one engine at once (they share
// one read-only voice; each call has its own utterance and streaming context).
class flite_engine : public tts_engine {
 public:
  // Initialises flite and registers the voice once per process; throws std::runtime_error if
  // the voice does not work.
  explicit flite_engine(flite_config config = {});
  ~flite_engine() override;
  flite_engine(const flite_engine&) = delete;
  flite_engine& operator=(const flite_engine&) = delete;

  std::string name() const override { return "flite"; }
  int sample_rate() const override;
  bool synthesize(const std::string& sentence,
                  const std::function<bool(const int16_t*, size_t)>& sink) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::tts
