#include "actors/stt/remote_stt_metrics.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <string>
#include <utility>
#include <vector>

namespace parley::stt {
namespace {

// The counters live in the status (atomics the recognizers bump), so the
// engine needs no metrics library and a scrape cannot disagree with it.
class remote_stt_collector : public prometheus::Collectable {
 public:
  explicit remote_stt_collector(std::shared_ptr<const remote_stt_status> status)
      : status_(std::move(status)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    return {counter("parley_stt_remote_failures_total",
                    "Calls to the remote speech-to-text provider that failed, by provider.",
                    static_cast<double>(status_->failures.load())),
            counter("parley_stt_fallbacks_total",
                    "Utterances the embedded recognizer answered instead of the remote provider "
                    "(it failed or its circuit breaker was open), by provider.",
                    static_cast<double>(status_->fallbacks.load()))};
  }

 private:
  prometheus::MetricFamily counter(const char* name, const char* help, double value) const {
    prometheus::MetricFamily family{name, help, prometheus::MetricType::Counter, {}};
    prometheus::ClientMetric m;
    m.label.push_back({"provider", status_->provider});
    m.counter.value = value;
    family.metric.push_back(std::move(m));
    return family;
  }

  std::shared_ptr<const remote_stt_status> status_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> make_remote_stt_collector(
    std::shared_ptr<const remote_stt_status> status) {
  return std::make_shared<remote_stt_collector>(std::move(status));
}

}  // namespace parley::stt
