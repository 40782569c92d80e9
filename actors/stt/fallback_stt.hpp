#pragma once
// A remote STT provider with the embedded engine as its safety net: every
// utterance goes to both, and the embedded text is used when the provider
// fails or its circuit breaker is open. Without an embedded engine (the
// operator chose to apologise rather than fall back) a failure is the turn's
// failure: the session retries it and then tells the user.

#include "actors/stt/recognizer.hpp"
#include "runtime/http/provider_status.hpp"

#include <memory>
#include <string>

namespace parley::stt {

class fallback_engine final : public stt_engine {
 public:
  // `remote` throws from finish() when the provider fails (as openai_stt
  // does). `embedded` may be null: no fallback. Without a `status`, a fresh
  // one with the default breaker settings.
  fallback_engine(std::shared_ptr<stt_engine> remote, std::shared_ptr<stt_engine> embedded,
                  std::shared_ptr<http::provider_status> status = nullptr);

  std::string name() const override;  // e.g. "openai+pocketsphinx"
  // Makes one recognizer of each engine; throws what they throw.
  std::unique_ptr<recognizer> make_recognizer() override;

  const std::shared_ptr<http::provider_status>& status() const { return status_; }

 private:
  std::shared_ptr<stt_engine> remote_;
  std::shared_ptr<stt_engine> embedded_;
  std::shared_ptr<http::provider_status> status_;
};

}  // namespace parley::stt
