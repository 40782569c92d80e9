#pragma once
// The process's Prometheus registry and the supervision metrics every actor
// kind shares. Other domains register their own families on registry().

#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace parley::runtime {

class actor_registry;

class metrics {
 public:
  explicit metrics(const actor_registry& actors);

  prometheus::Registry& registry() { return *registry_; }

  // Every series of the supervision families for these kinds starts at
  // zero, so the first restart is an increase and dashboards see the
  // series before anything failed.
  void declare_kinds(const std::vector<std::string>& kinds);

  void actor_restarted(const std::string& kind, const std::string& reason);
  void recovery_observed(const std::string& kind, double seconds);
  void escalated(const std::string& kind);

  // Families computed at scrape time (e.g. from counters an engine keeps).
  // Call before the first serialize(): the list is not locked.
  void add_collectable(std::shared_ptr<prometheus::Collectable> c);

  // The text exposition of everything: registered families, parley_actors
  // from the actor registry, and process_* from /proc.
  std::string serialize() const;

  // Bucket boundaries shared by latency histograms (seconds).
  static std::vector<double> latency_buckets();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram& recovery_of(const std::string& kind);

  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  prometheus::Family<prometheus::Counter>& restarts_;
  prometheus::Family<prometheus::Histogram>& recovery_;
  prometheus::Family<prometheus::Counter>& escalations_;
};

// process_* metrics as the Prometheus client libraries define them, read
// from /proc/self at collection time.
std::shared_ptr<prometheus::Collectable> make_process_collector();

}  // namespace parley::runtime
