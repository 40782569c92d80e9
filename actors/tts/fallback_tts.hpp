#pragma once
// A remote speech provider with the embedded engine as its safety net: when
// the provider fails or its circuit breaker is open, the embedded engine
// speaks the sentence (policy fallback) or the sentence fails (apologise).

#include <memory>
#include <string>

#include "actors/tts/synthesizer.hpp"
#include "runtime/http/provider_status.hpp"

namespace parley::tts {

class fallback_tts_engine final : public tts_engine {
 public:
  // `remote` throws http::provider_error when the provider fails (as
  // openai_tts and elevenlabs_tts do). Without a `status`, a fresh one
  // ("tts", remote's name, `policy`); with one, its policy rules.
  fallback_tts_engine(std::shared_ptr<tts_engine> remote, std::shared_ptr<tts_engine> embedded,
                      std::shared_ptr<http::provider_status> status = nullptr,
                      http::on_failure policy = http::on_failure::fallback);

  std::string name() const override;  // e.g. "openai+flite"
  // The remote's rate: the embedded engine's audio is resampled to it, so a
  // sentence keeps one rate whoever speaks it.
  int sample_rate() const override { return remote_->sample_rate(); }
  // When the provider breaks off mid-sentence, the embedded engine speaks
  // the whole sentence again: the listener hears every word the agent said.
  // Thread-safe when both engines are.
  bool synthesize(const std::string& sentence,
                  const std::function<bool(const int16_t*, size_t)>& sink) override;

  const std::shared_ptr<http::provider_status>& status() const { return status_; }

 private:
  bool embedded_speaks(const std::string& sentence, const audio_sink& sink);

  std::shared_ptr<tts_engine> remote_;
  std::shared_ptr<tts_engine> embedded_;
  std::shared_ptr<http::provider_status> status_;
};

}  // namespace parley::tts
