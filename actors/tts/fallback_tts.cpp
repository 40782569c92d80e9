#include "actors/tts/fallback_tts.hpp"

#include <utility>
#include <vector>

#include "actors/audio/resampler.hpp"
#include "runtime/common/log.hpp"
#include "runtime/http/provider_error.hpp"

namespace parley::tts {

fallback_tts_engine::fallback_tts_engine(std::shared_ptr<tts_engine> remote,
                                         std::shared_ptr<tts_engine> embedded,
                                         std::shared_ptr<http::provider_status> status,
                                         http::on_failure policy)
    : remote_(std::move(remote)), embedded_(std::move(embedded)), status_(std::move(status)) {
  if (!status_) status_ = std::make_shared<http::provider_status>("tts", remote_->name(), policy);
}

std::string fallback_tts_engine::name() const {
  return remote_->name() + "+" + embedded_->name();
}

bool fallback_tts_engine::synthesize(const std::string& sentence,
                                     const std::function<bool(const int16_t*, size_t)>& sink) {
  const bool fallback = status_->policy == http::on_failure::fallback;
  if (!status_->breaker.allow()) {  // the provider is resting: no call
    if (!fallback) return false;
    status_->fell_back();
    return embedded_speaks(sentence, sink);
  }
  ++status_->calls;
  bool spoke = false;  // some of the provider's audio reached the sink
  try {
    const bool done = remote_->synthesize(sentence, [&](const int16_t* pcm, size_t n) {
      spoke = spoke || n > 0;
      return sink(pcm, n);
    });
    // A barge-in is no verdict on the provider, but a half-open breaker
    // waits for one: only a failure counts against it.
    status_->succeeded();
    return done;
  } catch (const http::provider_error& e) {
    // The client redacts its key from the message before it throws.
    status_->failed(e.what(), e.retry_after());
    log::warn("tts", spoke ? "remote speech broke off mid-sentence" : "remote speech failed",
              {{"provider", status_->provider},
               {"reason", e.what()},
               {"policy", http::to_string(status_->policy)},
               {"breaker", runtime::to_string(status_->breaker.current())}});
  }
  if (!fallback) return false;
  status_->fell_back();
  return embedded_speaks(sentence, sink);
}

bool fallback_tts_engine::embedded_speaks(const std::string& sentence, const audio_sink& sink) {
  const int from = embedded_->sample_rate();
  const int to = remote_->sample_rate();
  if (from == to) return embedded_->synthesize(sentence, sink);
  audio::linear_resampler up(from, to);
  return embedded_->synthesize(sentence, [&](const int16_t* pcm, size_t n) {
    if (n == 0) return sink(pcm, n);
    const std::vector<int16_t> out = up.process(pcm, n);
    return sink(out.data(), out.size());
  });
}

}  // namespace parley::tts
