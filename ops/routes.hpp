#pragma once
// The ops routes: health, readiness, metrics, the live actor tree, and the
// chaos routes when enabled.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/router.hpp"
#include "runtime/common/metrics.hpp"
#include "runtime/common/readiness.hpp"
#include "runtime/common/registry.hpp"

namespace parley::ops {

struct ops_context {
  runtime::actor_registry& registry;
  runtime::readiness& ready;
  runtime::metrics& stats;
  bool chaos = false;
  std::string token;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Routes other parts of the process add (e.g. chaos fault injection).
  std::vector<route> extra = {};
  // The remote providers for /health (a JSON array); none when empty.
  std::function<nlohmann::json()> providers = {};
};

router make_router(const ops_context& ctx);

// The registry as a forest of JSON nodes with nested children.
std::string actors_json(const runtime::actor_registry& registry);

}  // namespace parley::ops
