#include "runtime/supervisor.hpp"

#include <caf/all.hpp>
#include <memory>
#include <optional>
#include <random>

#include "messages/supervision.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace parley::runtime {
namespace {

using clock = std::chrono::steady_clock;
using namespace parley::messages;

constexpr std::uint8_t escalated_code = 1;
const caf::atom_value parley_category = caf::atom("parley");

struct slot {
  child_spec spec;
  actor_id id = 0;
  caf::actor handle;
  bool initial = false;   // started with the supervisor: counts toward its readiness
  bool ready = false;     // has announced ready at least once
  bool stopping = false;  // stopped on purpose: do not restart
  std::uint32_t attempt = 0;
  std::optional<clock::time_point> down_at;  // set while recovering
};

using slot_list = std::vector<slot>;

struct supervisor_state {
  supervisor_spec spec;
  services* svc = nullptr;
  actor_id self_id = 0;
  caf::actor parent;  // invalid at the root
  root_hooks hooks;
  std::shared_ptr<slot_list> slots = std::make_shared<slot_list>();
  std::optional<restart_window> window;
  std::mt19937 rng{std::random_device{}()};
  bool announced = false;
  static inline const char* name = "supervisor";
};

using sup_actor = caf::stateful_actor<supervisor_state>;

slot* find_slot(sup_actor* self, actor_id id) {
  for (auto& s : *self->state.slots)
    if (s.id == id) return &s;
  return nullptr;
}

slot* find_slot(sup_actor* self, const caf::actor_addr& addr) {
  for (auto& s : *self->state.slots)
    if (s.handle && s.handle.address() == addr) return &s;
  return nullptr;
}

void start(sup_actor* self, slot& s) {
  auto& reg = self->state.svc->registry;
  child_context ctx{s.id, caf::actor_cast<caf::actor>(self), self->state.svc};
  s.handle = s.spec.start(self, ctx);
  self->monitor(s.handle);
  reg.bind(s.id, [h = s.handle] { caf::anon_send_exit(h, caf::exit_reason::kill); });
}

actor_id add_child(sup_actor* self, child_spec spec, bool initial) {
  slot s;
  s.id = self->state.svc->registry.add(spec.kind, self->state.self_id, spec.tags);
  s.spec = std::move(spec);
  s.initial = initial;
  self->state.slots->push_back(std::move(s));
  auto& added = self->state.slots->back();
  const actor_id id = added.id;
  start(self, added);
  return id;
}

void maybe_announce(sup_actor* self) {
  auto& st = self->state;
  if (st.announced) return;
  for (const auto& s : *st.slots)
    if (s.initial && !s.ready) return;
  st.announced = true;
  if (st.parent) {
    announce_ready(self, st.parent, st.self_id);
  } else {
    st.svc->registry.set_state(st.self_id, actor_state::running);
    if (st.hooks.on_ready) st.hooks.on_ready();
  }
}

void on_child_ready(sup_actor* self, actor_id id) {
  slot* s = find_slot(self, id);
  if (s == nullptr || !s->handle || self->current_sender() != s->handle.address()) return;
  s->ready = true;
  self->state.svc->registry.set_state(id, actor_state::running);
  if (s->down_at) {
    const std::chrono::duration<double> took = clock::now() - *s->down_at;
    self->state.svc->stats.recovery_observed(s->spec.kind, took.count());
    s->down_at.reset();
  }
  maybe_announce(self);
}

// Stops a running sibling on purpose so the strategy can restart it: ask
// politely, and kill once its shutdown deadline passes.
void stop_for_restart(sup_actor* self, slot& s) {
  if (!s.handle) return;
  self->demonitor(s.handle);
  caf::anon_send_exit(s.handle, caf::exit_reason::user_shutdown);
  self->delayed_send(self, s.spec.shutdown, deadline_atom::value, s.handle);
  s.handle = nullptr;
}

void restart_slot(sup_actor* self, actor_id id) {
  slot* s = find_slot(self, id);
  if (s == nullptr || s->handle || s->stopping) return;
  start(self, *s);
}

void schedule(sup_actor* self, slot& s, std::chrono::milliseconds delay) {
  if (delay.count() == 0) {
    start(self, s);
  } else {
    self->delayed_send(self, delay, restart_atom::value, s.id);
  }
}

void escalate(sup_actor* self, const slot& failed, const std::string& reason) {
  auto& st = self->state;
  st.svc->stats.escalated(failed.spec.kind);
  const std::string why = "supervisor '" + st.spec.name + "' gave up: " + failed.spec.kind +
                          " exceeded " + std::to_string(st.spec.intensity.max_restarts) +
                          " restarts in " + std::to_string(st.spec.intensity.period.count()) +
                          " ms (last exit: " + reason + ")";
  log::error("supervisor", why, {{"supervisor", st.spec.name}, {"kind", failed.spec.kind}});
  if (!st.parent && st.hooks.on_escalate) st.hooks.on_escalate(why);
  self->quit(escalated_error());
}

void remove_slot(sup_actor* self, actor_id id) {
  auto& slots = *self->state.slots;
  self->state.svc->registry.remove(id);
  for (auto it = slots.begin(); it != slots.end(); ++it) {
    if (it->id == id) {
      slots.erase(it);
      break;
    }
  }
  maybe_announce(self);
}

void on_child_down(sup_actor* self, const caf::down_msg& dm) {
  slot* s = find_slot(self, dm.source);
  if (s == nullptr) return;
  auto& st = self->state;
  const std::string reason = exit_label(dm.reason);
  const bool restart = !s->stopping && should_restart(s->spec.restart, is_abnormal(dm.reason));
  s->handle = nullptr;
  if (!restart) {
    log::debug("supervisor", "child ended", {{"kind", s->spec.kind}, {"reason", reason}});
    remove_slot(self, s->id);
    return;
  }
  const auto now = clock::now();
  if (!st.window->admit(now)) {
    escalate(self, *s, reason);
    return;
  }
  // Which slots go down with the failed one, by strategy; order = start order.
  auto& slots = *st.slots;
  const auto failed_index = static_cast<std::size_t>(s - slots.data());
  std::vector<std::size_t> affected;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const bool hit = i == failed_index || st.spec.restart_strategy == strategy::one_for_all ||
                     (st.spec.restart_strategy == strategy::rest_for_one && i > failed_index);
    if (hit && !slots[i].stopping) affected.push_back(i);
  }
  const auto delay = st.spec.backoff.delay(s->attempt++, st.rng);
  log::warn("supervisor", "restarting child",
            {{"kind", s->spec.kind},
             {"actor", std::to_string(s->id)},
             {"reason", reason},
             {"delay_ms", std::to_string(delay.count())}});
  for (auto i : affected) {
    auto& a = slots[i];
    const std::string why = i == failed_index ? reason : "sibling";
    stop_for_restart(self, a);
    a.down_at = now;
    st.svc->registry.record_exit(a.id, why, true);
    st.svc->stats.actor_restarted(a.spec.kind, why);
  }
  for (auto i : affected) schedule(self, slots[i], delay);
}

caf::behavior supervisor_behavior(sup_actor* self, supervisor_spec spec, services* svc,
                                  actor_id self_id, caf::actor parent, root_hooks hooks) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.svc = svc;
  st.self_id = self_id;
  st.parent = std::move(parent);
  st.hooks = std::move(hooks);
  st.window.emplace(st.spec.intensity);
  // Children die with their supervisor, whatever ends it: its replacement
  // starts a fresh set.
  self->attach_functor([slots = st.slots, svc](const caf::error&) {
    for (auto& s : *slots) {
      if (s.handle) caf::anon_send_exit(s.handle, caf::exit_reason::kill);
      svc->registry.remove(s.id);
    }
  });
  self->set_down_handler([self](caf::down_msg& dm) { on_child_down(self, dm); });
  for (auto& child : st.spec.children) add_child(self, child, true);
  maybe_announce(self);
  return {
      [self](ready_atom, actor_id id) { on_child_ready(self, id); },
      [self](restart_atom, actor_id id) { restart_slot(self, id); },
      [self](deadline_atom, caf::actor& late) {
        caf::anon_send_exit(late, caf::exit_reason::kill);
      },
      [self](start_child_atom, child_spec& spec) { return add_child(self, std::move(spec), false); },
      [self](stop_child_atom, actor_id id) {
        slot* s = find_slot(self, id);
        if (s == nullptr || !s->handle) return;
        s->stopping = true;
        self->state.svc->registry.set_state(id, actor_state::stopping);
        caf::anon_send_exit(s->handle, caf::exit_reason::user_shutdown);
        self->delayed_send(self, s->spec.shutdown, deadline_atom::value, s->handle);
      },
  };
}

}  // namespace

void announce_ready(caf::local_actor* self, const caf::actor& supervisor, actor_id id) {
  caf::send_as(caf::actor_cast<caf::actor>(self), supervisor, ready_atom::value, id);
}

child_spec supervisor_child(supervisor_spec spec, restart_type restart) {
  child_spec c;
  c.kind = "supervisor";
  c.tags = {{"name", spec.name}};
  c.restart = restart;
  c.start = [spec = std::move(spec)](caf::local_actor* parent, const child_context& ctx) {
    return parent->spawn(supervisor_behavior, spec, ctx.svc, ctx.id, ctx.supervisor,
                         root_hooks{});
  };
  return c;
}

caf::actor spawn_root(caf::actor_system& system, services& svc, actor_id id, supervisor_spec spec,
                      root_hooks hooks) {
  auto root = system.spawn(supervisor_behavior, std::move(spec), &svc, id, caf::actor{},
                           std::move(hooks));
  svc.registry.bind(id, [root] { caf::anon_send_exit(root, caf::exit_reason::kill); });
  return root;
}

caf::error escalated_error() { return caf::error{escalated_code, parley_category}; }

bool is_abnormal(const caf::error& reason) {
  return reason && reason != caf::exit_reason::normal &&
         reason != caf::exit_reason::user_shutdown;
}

std::string exit_label(const caf::error& reason) {
  if (!reason || reason == caf::exit_reason::normal) return "normal";
  if (reason == caf::exit_reason::user_shutdown) return "shutdown";
  if (reason == caf::exit_reason::kill) return "kill";
  if (reason == caf::exit_reason::unhandled_exception) return "exception";
  if (reason.category() == parley_category && reason.code() == escalated_code) return "escalated";
  if (reason == caf::sec::runtime_error) return "exception";
  return "error";
}

}  // namespace parley::runtime
