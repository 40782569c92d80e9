#include "runtime/common/metrics.hpp"

#include <prometheus/text_serializer.h>
#include <map>

#include "runtime/common/registry.hpp"

namespace parley::runtime {
namespace {

// parley_actors{kind}: derived from the registry at scrape time so the gauge
// cannot drift from what /actors shows.
class actor_count_collector : public prometheus::Collectable {
 public:
  explicit actor_count_collector(const actor_registry& actors) : actors_(actors) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::map<std::string, double> by_kind;
    for (const auto& a : actors_.snapshot()) by_kind[a.kind] += 1;
    prometheus::MetricFamily family{
        "parley_actors", "Live actors by kind.", prometheus::MetricType::Gauge, {}};
    for (const auto& [kind, n] : by_kind) {
      prometheus::ClientMetric m;
      m.label.push_back({"kind", kind});
      m.gauge.value = n;
      family.metric.push_back(std::move(m));
    }
    return {family};
  }

 private:
  const actor_registry& actors_;
};

}  // namespace

metrics::metrics(const actor_registry& actors)
    : registry_(std::make_shared<prometheus::Registry>()),
      collectables_{std::make_shared<actor_count_collector>(actors), make_process_collector()},
      restarts_(prometheus::BuildCounter()
                    .Name("parley_actor_restarts_total")
                    .Help("Actor restarts by supervisors, by kind and exit reason.")
                    .Register(*registry_)),
      recovery_(prometheus::BuildHistogram()
                    .Name("parley_actor_recovery_seconds")
                    .Help("From a supervisor's down message to the replacement reporting ready.")
                    .Register(*registry_)),
      escalations_(prometheus::BuildCounter()
                       .Name("parley_supervisor_escalations_total")
                       .Help("Supervisors that exceeded their restart intensity, by kind.")
                       .Register(*registry_)) {}

void metrics::declare_kinds(const std::vector<std::string>& kinds) {
  // Every exit_label() a restart can carry, and a sibling's restart.
  static const char* const reasons[] = {"kill",   "exception", "error",  "escalated",
                                        "normal", "shutdown",  "sibling"};
  for (const auto& kind : kinds) {
    for (const char* reason : reasons) restarts_.Add({{"kind", kind}, {"reason", reason}});
    recovery_of(kind);
    escalations_.Add({{"kind", kind}});
  }
}

void metrics::actor_restarted(const std::string& kind, const std::string& reason) {
  restarts_.Add({{"kind", kind}, {"reason", reason}}).Increment();
}

prometheus::Histogram& metrics::recovery_of(const std::string& kind) {
  // 3 and 4 ms resolve the restart target (p99 < 5 ms).
  return recovery_.Add({{"kind", kind}}, prometheus::Histogram::BucketBoundaries{
                                             0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.01, 0.025,
                                             0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
}

void metrics::recovery_observed(const std::string& kind, double seconds) {
  recovery_of(kind).Observe(seconds);
}

void metrics::escalated(const std::string& kind) {
  escalations_.Add({{"kind", kind}}).Increment();
}

void metrics::add_collectable(std::shared_ptr<prometheus::Collectable> c) {
  collectables_.push_back(std::move(c));
}

std::string metrics::serialize() const {
  auto families = registry_->Collect();
  for (const auto& c : collectables_) {
    auto more = c->Collect();
    families.insert(families.end(), more.begin(), more.end());
  }
  return prometheus::TextSerializer().Serialize(families);
}

std::vector<double> metrics::latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10};
}

}  // namespace parley::runtime
