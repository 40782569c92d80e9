#include "runtime/http/provider_metrics.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace parley::http {
namespace {

using reading = std::function<double(const provider_status::snapshot&)>;

double breaker_level(const std::string& state) {
  if (state == "open") return 2;
  return state == "half_open" ? 1 : 0;
}

class provider_collector : public prometheus::Collectable {
 public:
  explicit provider_collector(std::shared_ptr<const provider_board> board)
      : board_(std::move(board)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<provider_status::snapshot> all;
    for (const auto& p : board_->all()) all.push_back(p->read());
    if (all.empty()) return {};
    using T = prometheus::MetricType;
    return {
        family(all, "parley_provider_calls_total",
               "Calls made to a remote engine's provider, by engine and provider.", T::Counter,
               [](const auto& s) { return static_cast<double>(s.calls); }),
        family(all, "parley_provider_failures_total",
               "Calls to a remote provider that failed after their retries.", T::Counter,
               [](const auto& s) { return static_cast<double>(s.failures); }),
        family(all, "parley_provider_retries_total",
               "Calls to a remote provider repeated after a failure that allowed it.", T::Counter,
               [](const auto& s) { return static_cast<double>(s.retries); }),
        family(all, "parley_provider_fallbacks_total",
               "Utterances or sentences the embedded engine served instead of the provider "
               "(it failed or its circuit breaker was open).",
               T::Counter, [](const auto& s) { return static_cast<double>(s.fallbacks); }),
        family(all, "parley_provider_breaker_state",
               "The provider's circuit breaker: 0 closed, 1 half-open (one trial call), 2 open.",
               T::Gauge, [](const auto& s) { return breaker_level(s.breaker); }),
    };
  }

 private:
  static prometheus::MetricFamily family(const std::vector<provider_status::snapshot>& all,
                                         const char* name, const char* help,
                                         prometheus::MetricType type, const reading& value) {
    prometheus::MetricFamily f{name, help, type, {}};
    for (const auto& s : all) {
      prometheus::ClientMetric m;
      m.label = {{"engine", s.engine}, {"provider", s.provider}};
      if (type == prometheus::MetricType::Counter)
        m.counter.value = value(s);
      else
        m.gauge.value = value(s);
      f.metric.push_back(std::move(m));
    }
    return f;
  }

  std::shared_ptr<const provider_board> board_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> make_provider_collector(
    std::shared_ptr<const provider_board> board) {
  return std::make_shared<provider_collector>(std::move(board));
}

}  // namespace parley::http
