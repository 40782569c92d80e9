#include "actors/stt/fallback_stt.hpp"

#include "runtime/common/log.hpp"

#include <exception>
#include <utility>

namespace parley::stt {
namespace {

// Feeds both recognizers as the user speaks, so that when the provider fails
// the embedded text is one fast finish() away instead of a whole decode.
class fallback_recognizer : public recognizer {
 public:
  fallback_recognizer(std::unique_ptr<recognizer> remote, std::unique_ptr<recognizer> embedded,
                      std::shared_ptr<remote_stt_status> status)
      : remote_(std::move(remote)), embedded_(std::move(embedded)), status_(std::move(status)) {}

  void begin() override {
    heard_ = false;
    remote_->begin();
    embedded_->begin();
  }
  void feed(const int16_t* pcm16k, size_t samples) override {
    heard_ = heard_ || samples > 0;
    remote_->feed(pcm16k, samples);
    embedded_->feed(pcm16k, samples);
  }
  // The remote API is not streaming: partials come from the embedded engine.
  std::string partial() override { return embedded_->partial(); }

  std::string finish() override {
    // Nothing said, nothing uploaded: no verdict on the provider (an empty
    // "success" must not close a half-open breaker).
    if (!heard_) {
      remote_->reset();
      return embedded_->finish();
    }
    heard_ = false;
    if (!status_->breaker.allow()) {
      remote_->reset();  // the provider is resting: no upload
      ++status_->fallbacks;
      return embedded_->finish();
    }
    std::string reason;
    try {
      std::string text = remote_->finish();
      status_->breaker.record_success();
      embedded_->reset();
      return text;
    } catch (const std::exception& e) {
      reason = e.what();
    } catch (...) {
      reason = "unknown exception";
    }
    status_->breaker.record_failure();
    ++status_->failures;
    ++status_->fallbacks;
    // The reason comes from the provider's client, which keeps keys out of it.
    log::warn("stt", "remote speech recognition failed: using the embedded recognizer",
              {{"provider", status_->provider},
               {"reason", reason},
               {"breaker", runtime::to_string(status_->breaker.current())}});
    return embedded_->finish();
  }

  void reset() override {
    heard_ = false;
    remote_->reset();
    embedded_->reset();
  }

 private:
  std::unique_ptr<recognizer> remote_;
  std::unique_ptr<recognizer> embedded_;
  std::shared_ptr<remote_stt_status> status_;
  bool heard_ = false;  // samples fed since begin()
};

}  // namespace

fallback_engine::fallback_engine(std::shared_ptr<stt_engine> remote,
                                 std::shared_ptr<stt_engine> embedded,
                                 std::shared_ptr<remote_stt_status> status)
    : remote_(std::move(remote)), embedded_(std::move(embedded)), status_(std::move(status)) {
  if (!status_) status_ = std::make_shared<remote_stt_status>(remote_->name());
}

std::string fallback_engine::name() const {
  return remote_->name() + "+" + embedded_->name();
}

std::unique_ptr<recognizer> fallback_engine::make_recognizer() {
  return std::make_unique<fallback_recognizer>(remote_->make_recognizer(),
                                               embedded_->make_recognizer(), status_);
}

}  // namespace parley::stt
