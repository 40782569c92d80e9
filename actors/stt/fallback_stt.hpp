#pragma once
// A remote STT provider with the embedded engine as its safety net: every
// utterance goes to both, and the embedded text is used when the provider
// fails or its circuit breaker is open.

#include "actors/stt/recognizer.hpp"
#include "runtime/common/circuit_breaker.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace parley::stt {

// What the fallback has seen of its provider; shared by all its recognizers
// (and by the metrics collector, and by the engine a restarted host loads, so
// that neither the counts nor the breaker's state start over).
struct remote_stt_status {
  remote_stt_status(std::string provider_name, runtime::circuit_breaker::settings s = {},
                    runtime::circuit_breaker::clock_fn clock = {})
      : provider(std::move(provider_name)), breaker(s, std::move(clock)) {}

  const std::string provider;
  std::atomic<std::uint64_t> failures{0};   // remote calls that failed
  std::atomic<std::uint64_t> fallbacks{0};  // utterances answered by the embedded engine
  runtime::circuit_breaker breaker;
};

class fallback_engine final : public stt_engine {
 public:
  // `remote` throws from finish() when the provider fails (as openai_stt does).
  // Without a `status`, a fresh one with the default breaker settings.
  fallback_engine(std::shared_ptr<stt_engine> remote, std::shared_ptr<stt_engine> embedded,
                  std::shared_ptr<remote_stt_status> status = nullptr);

  std::string name() const override;  // e.g. "openai+pocketsphinx"
  // Makes one recognizer of each engine; throws what they throw.
  std::unique_ptr<recognizer> make_recognizer() override;

  const std::shared_ptr<remote_stt_status>& status() const { return status_; }

 private:
  std::shared_ptr<stt_engine> remote_;
  std::shared_ptr<stt_engine> embedded_;
  std::shared_ptr<remote_stt_status> status_;
};

}  // namespace parley::stt
