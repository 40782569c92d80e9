#pragma once
// The supervision core shared by plain supervisors and actors that supervise
// their own children (guild_session): slots started from specs, restarts by
// restart type and strategy, backoff, intensity and recovery timing.
// Not thread-safe: used only from inside its owning actor.

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>
#include <caf/message_handler.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "runtime/common/supervisor.hpp"

namespace parley::runtime {

struct slot;

class child_set {
 public:
  struct hooks {
    // A child was (re)started with a new handle; `restart` is false the first time.
    std::function<void(actor_id, const caf::actor&, bool restart)> on_started;
    // A child ended for good (not restarted): by its restart type or a stop.
    std::function<void(actor_id, const std::string& reason)> on_ended;
    // Restart intensity was exceeded; the owner must quit (or escalate).
    std::function<void(const std::string& why)> on_give_up;
    // A child announced it is ready (started or restarted).
    std::function<void(actor_id)> on_ready;
  };

  child_set(caf::event_based_actor* owner, services* svc, actor_id owner_id, supervisor_spec spec,
            hooks h);
  ~child_set();
  child_set(const child_set&) = delete;
  child_set& operator=(const child_set&) = delete;

  // Starts the child now, or, when `predecessor` (the same child under a
  // previous incarnation of the owner) still runs, once it has ended.
  actor_id add(child_spec spec, bool initial, const caf::actor_addr& predecessor = {});
  void stop(actor_id id);
  // What every owner handles for its children (ready, restart timers,
  // shutdown deadlines): combined with the owner's own handlers.
  caf::message_handler handlers();
  // Each returns false when the message was not about one of its children.
  bool handle_down(const caf::down_msg& dm);
  bool handle_ready(actor_id id, const caf::actor_addr& sender);
  void handle_restart_timer(actor_id id);

  caf::actor handle(actor_id id) const;  // invalid while restarting
  std::optional<actor_id> find(const std::string& label, const std::string& value) const;
  bool initial_children_ready() const;
  std::size_t size() const;

 private:
  slot* find_slot(actor_id id) const;
  slot* find_slot(const caf::actor_addr& addr) const;
  void start(slot& s, bool restart);
  void stop_for_restart(slot& s);
  void remove(actor_id id, const std::string& reason);

  caf::event_based_actor* owner_;
  services* svc_;
  actor_id owner_id_;
  supervisor_spec spec_;
  hooks hooks_;
  std::shared_ptr<std::vector<slot>> slots_;
  restart_window window_;
  std::mt19937 rng_;
};

}  // namespace parley::runtime
