#pragma once
// GET /actors/stream: the supervision tree as server-sent events, for the
// ops console. A snapshot on connect, then what changed, coalesced so a
// restart storm is a few events a second rather than one per registry write.

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/router.hpp"
#include "runtime/common/registry.hpp"

namespace parley::ops {

// One actor as /actors and the stream show it, without its children.
nlohmann::json actor_json(const runtime::actor_info& a);

// `event: snapshot`: every actor, and whether the chaos routes are on.
std::string snapshot_event(const std::vector<runtime::actor_info>& all, bool chaos);

// Turns successive snapshots into `event: change` (upserts and removals).
class actor_changes {
 public:
  explicit actor_changes(const std::vector<runtime::actor_info>& first);
  // Empty when nothing a viewer sees changed since the last call.
  std::string next(const std::vector<runtime::actor_info>& now);

 private:
  std::map<runtime::actor_id, runtime::actor_info> seen_;
};

struct stream_limits {
  std::size_t max_streams = 16;  // each holds one of the ops port's threads
  std::chrono::milliseconds min_gap{100};
  std::chrono::milliseconds keepalive{5000};  // also how soon a gone client is noticed
  std::chrono::milliseconds stop_check{250};
};

route actor_stream_route(const runtime::actor_registry& registry, bool chaos,
                         stream_limits limits = {});

}  // namespace parley::ops
