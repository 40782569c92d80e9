#include "actors/stt/fallback_stt.hpp"

#include "runtime/common/log.hpp"
#include "runtime/http/provider_error.hpp"

#include <exception>
#include <utility>

namespace parley::stt {
namespace {

// Feeds both recognizers as the user speaks, so that when the provider fails
// the embedded text is one fast finish() away instead of a whole decode.
class fallback_recognizer : public recognizer {
 public:
  fallback_recognizer(std::unique_ptr<recognizer> remote, std::unique_ptr<recognizer> embedded,
                      std::shared_ptr<http::provider_status> status)
      : remote_(std::move(remote)), embedded_(std::move(embedded)), status_(std::move(status)) {}

  void begin() override {
    heard_ = false;
    remote_->begin();
    if (embedded_) embedded_->begin();
  }
  void feed(const int16_t* pcm16k, size_t samples) override {
    heard_ = heard_ || samples > 0;
    remote_->feed(pcm16k, samples);
    if (embedded_) embedded_->feed(pcm16k, samples);
  }
  // A streaming provider's partials are better than the embedded guess.
  std::string partial() override {
    auto text = remote_->partial();
    return text.empty() && embedded_ ? embedded_->partial() : text;
  }
  bool heard_end_of_speech() override { return remote_->heard_end_of_speech(); }

  std::string finish() override {
    // Nothing said, nothing uploaded: no verdict on the provider (an empty
    // "success" must not close a half-open breaker).
    if (!heard_) {
      remote_->reset();
      return embedded_ ? embedded_->finish() : std::string();
    }
    heard_ = false;
    if (!status_->breaker.allow()) {
      remote_->reset();  // the provider is resting: no call
      return without_provider("circuit breaker open");
    }
    ++status_->calls;
    try {
      std::string text = waiting_on_network([this] { return remote_->finish(); });
      status_->succeeded();
      if (embedded_) embedded_->reset();
      return text;
    } catch (const http::provider_error& e) {
      status_->failed(e.what(), e.retry_after());
      return without_provider(e.what());
    } catch (const std::exception& e) {
      status_->failed(e.what());
      return without_provider(e.what());
    }
  }

  void reset() override {
    heard_ = false;
    remote_->reset();
    if (embedded_) embedded_->reset();
  }

 private:
  // The reason comes from the provider's client, which keeps keys out of it.
  std::string without_provider(const std::string& reason) {
    if (!embedded_)
      throw http::provider_error("speech recognition by " + status_->provider + " failed (" +
                                     reason + "); no fallback configured",
                                 false);
    status_->fell_back();
    log::warn("stt", "remote speech recognition unavailable: using the embedded recognizer",
              {{"provider", status_->provider},
               {"reason", reason},
               {"breaker", runtime::to_string(status_->breaker.current())}});
    return embedded_->finish();
  }

  std::unique_ptr<recognizer> remote_;
  std::unique_ptr<recognizer> embedded_;
  std::shared_ptr<http::provider_status> status_;
  bool heard_ = false;  // samples fed since begin()
};

}  // namespace

fallback_engine::fallback_engine(std::shared_ptr<stt_engine> remote,
                                 std::shared_ptr<stt_engine> embedded,
                                 std::shared_ptr<http::provider_status> status)
    : remote_(std::move(remote)), embedded_(std::move(embedded)), status_(std::move(status)) {
  if (!status_)
    status_ = std::make_shared<http::provider_status>(
        "stt", remote_->name(),
        embedded_ ? http::on_failure::fallback : http::on_failure::apologise);
}

std::string fallback_engine::name() const {
  return embedded_ ? remote_->name() + "+" + embedded_->name() : remote_->name();
}

std::unique_ptr<recognizer> fallback_engine::make_recognizer() {
  return std::make_unique<fallback_recognizer>(
      remote_->make_recognizer(), embedded_ ? embedded_->make_recognizer() : nullptr, status_);
}

}  // namespace parley::stt
