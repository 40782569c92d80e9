#pragma once
// Supervisors on CAF's monitor/down_msg: CAF itself has none. A supervisor
// starts its children from specs, restarts them by their restart type and
// its strategy, waits out a backoff between repeated failures, and gives up
// (escalates to its own parent) when restarts exceed its intensity.

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/common/cancel_token.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/registry.hpp"
#include "runtime/common/restart_policy.hpp"

namespace parley::runtime {

class metrics;
class on_demand_children;

struct services {
  actor_registry& registry;
  metrics& stats;
};

// What a child learns from the supervisor that started it.
struct child_context {
  actor_id id = 0;
  caf::actor supervisor;
  services* svc = nullptr;
  // Set when the supervisor stops or kills this incarnation: a job blocked
  // in an engine call stops at its next check (a new token per start).
  std::shared_ptr<cancel_token> cancel;
};

// Marks the child running and tells its supervisor, which measures recovery
// time until this call. Children call it once they can do their work.
void announce_ready(caf::local_actor* self, const caf::actor& supervisor, actor_id id);

// An exception that ends `self` is logged as one JSON line with `context`
// (e.g. the turn) and what it said; the actor still ends as CAF would end it
// (unhandled_exception), so its supervisor restarts it as before.
void log_failures(caf::scheduled_actor* self, const char* component,
                  std::vector<log::field> context);

struct child_spec {
  std::string kind;
  labels tags;
  restart_type restart = restart_type::permanent;
  std::chrono::milliseconds shutdown{5000};  // after user_shutdown, kill past this
  // Spawns the child (usually self->spawn(...)). The child must eventually
  // call announce_ready with ctx.supervisor and ctx.id.
  std::function<caf::actor(caf::local_actor* supervisor, const child_context& ctx)> start;
};

struct supervisor_spec {
  std::string name;
  strategy restart_strategy = strategy::one_for_one;
  intensity_policy intensity;
  backoff_policy backoff;
  std::vector<child_spec> children;
  // Children started on request by key (find_or_start_atom), kept across
  // this supervisor's own restarts.
  std::shared_ptr<on_demand_children> on_demand;
};

// A supervisor as the child of another supervisor.
child_spec supervisor_child(supervisor_spec spec, restart_type restart = restart_type::permanent);

struct root_hooks {
  std::function<void()> on_ready;                           // the whole tree is up
  std::function<void(const std::string& why)> on_escalate;  // the root gave up
};

// Spawns the root supervisor, registered under `id` (already added to the registry).
caf::actor spawn_root(caf::actor_system& system, services& svc, actor_id id, supervisor_spec spec,
                      root_hooks hooks);

// Bounded, human-readable label for an exit reason (metrics label, logs).
std::string exit_label(const caf::error& reason);
bool is_abnormal(const caf::error& reason);
caf::error escalated_error();

}  // namespace parley::runtime

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::runtime::child_spec)
