#include "runtime/common/supervisor.hpp"

#include <caf/all.hpp>
#include <map>
#include <optional>

#include "messages/supervision.hpp"
#include "runtime/common/child_set.hpp"
#include "runtime/common/on_demand.hpp"

namespace parley::runtime {
namespace {

using namespace parley::messages;

constexpr std::uint8_t escalated_code = 1;
constexpr std::uint8_t no_such_child_code = 2;  // find_child_atom reached the root
const caf::atom_value parley_category = caf::atom("parley");

struct supervisor_state {
  std::optional<child_set> children;
  services* svc = nullptr;
  actor_id self_id = 0;
  caf::actor parent;  // invalid at the root
  root_hooks hooks;
  bool announced = false;
  // Requests waiting for a child between two incarnations.
  std::multimap<actor_id, caf::response_promise> waiting;
  // Each slot's name in `trail`: "child:<index>", or "key:<key>" for an
  // on-demand child.
  std::map<actor_id, std::string> trail_names;
  std::shared_ptr<last_incarnations> trail;
  static inline const char* name = "supervisor";
};

using sup_actor = caf::stateful_actor<supervisor_state>;

void maybe_announce(sup_actor* self) {
  auto& st = self->state;
  if (st.announced || !st.children->initial_children_ready()) return;
  st.announced = true;
  if (st.parent) {
    announce_ready(self, st.parent, st.self_id);
  } else {
    st.svc->registry.set_state(st.self_id, actor_state::running);
    if (st.hooks.on_ready) st.hooks.on_ready();
  }
}

child_set::hooks set_hooks(sup_actor* self, std::shared_ptr<on_demand_children> on_demand) {
  child_set::hooks h;
  h.on_started = [self](actor_id id, const caf::actor& handle, bool) {
    auto& st = self->state;
    auto range = st.waiting.equal_range(id);
    for (auto it = range.first; it != range.second; ++it) it->second.deliver(handle);
    st.waiting.erase(range.first, range.second);
    if (auto name = st.trail_names.find(id); name != st.trail_names.end())
      st.trail->set(name->second, handle.address());
  };
  h.on_ended = [self, on_demand](actor_id id, const std::string&) {
    auto& st = self->state;
    auto range = st.waiting.equal_range(id);
    for (auto it = range.first; it != range.second; ++it)
      it->second.deliver(caf::make_error(caf::sec::request_receiver_down));
    st.waiting.erase(range.first, range.second);
    if (auto name = st.trail_names.find(id); name != st.trail_names.end()) {
      if (on_demand && name->second.rfind("key:", 0) == 0)
        on_demand->forget(name->second.substr(4));
      st.trail->erase(name->second);
      st.trail_names.erase(name);
    }
    maybe_announce(self);
  };
  h.on_ready = [self](actor_id) { maybe_announce(self); };
  h.on_give_up = [self](const std::string& why) {
    if (!self->state.parent && self->state.hooks.on_escalate) self->state.hooks.on_escalate(why);
    self->quit(escalated_error());
  };
  return h;
}

// The slot's handle now, or later once its next incarnation has started.
caf::result<caf::actor> current(sup_actor* self, actor_id id) {
  if (auto h = self->state.children->handle(id)) return h;
  self->state.waiting.emplace(id, self->make_response_promise());
  return caf::delegated<caf::actor>{};
}

// Adds a child, started once its last incarnation (under a previous
// incarnation of this supervisor) has ended.
actor_id add_child(sup_actor* self, child_spec spec, bool initial, const std::string& trail_name) {
  auto& st = self->state;
  const auto id = st.children->add(std::move(spec), initial, st.trail->get(trail_name));
  st.trail_names[id] = trail_name;
  if (auto h = st.children->handle(id)) st.trail->set(trail_name, h.address());
  return id;
}

caf::result<caf::actor> find_or_start(sup_actor* self,
                                      const std::shared_ptr<on_demand_children>& on_demand,
                                      const std::string& key) {
  if (!on_demand) return caf::make_error(caf::sec::unexpected_message);
  auto id = self->state.children->find(on_demand->label(), key);
  if (!id) id = add_child(self, on_demand->spec(key), false, "key:" + key);
  return current(self, *id);
}

caf::result<caf::actor> find_child(sup_actor* self, const std::string& name) {
  if (auto id = self->state.children->find("name", name)) return current(self, *id);
  if (!self->state.parent) return caf::error{no_such_child_code, parley_category};
  self->delegate(self->state.parent, find_child_atom::value, name);
  return caf::delegated<caf::actor>{};
}

// `trail` outlives this incarnation: the next one starts each child once
// this one's has ended, and starts again every on-demand child it held.
caf::behavior supervisor_behavior(sup_actor* self, supervisor_spec spec, services* svc,
                                  actor_id self_id, caf::actor parent, root_hooks hooks,
                                  std::shared_ptr<last_incarnations> trail) {
  auto& st = self->state;
  st.svc = svc;
  st.self_id = self_id;
  st.parent = std::move(parent);
  st.hooks = std::move(hooks);
  st.trail = std::move(trail);
  auto initial = spec.children;
  auto on_demand = spec.on_demand;
  st.children.emplace(self, svc, self_id, std::move(spec), set_hooks(self, on_demand));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.children->handle_down(dm); });
  for (std::size_t i = 0; i < initial.size(); ++i)
    add_child(self, initial[i], true, "child:" + std::to_string(i));
  if (on_demand)
    for (const auto& key : on_demand->keys())
      add_child(self, on_demand->spec(key), false, "key:" + key);
  maybe_announce(self);
  return caf::message_handler{
      [self](start_child_atom, child_spec& spec) {
        return self->state.children->add(std::move(spec), false);
      },
      [self](stop_child_atom, actor_id id) { self->state.children->stop(id); },
      [self, on_demand](find_or_start_atom, const std::string& key) {
        return find_or_start(self, on_demand, key);
      },
      [self](find_child_atom, const std::string& name) { return find_child(self, name); },
      [self](caf::get_atom) { return self->state.children->size(); },
  }
      .or_else(st.children->handlers());
}

}  // namespace

void log_failures(caf::scheduled_actor* self, const char* component,
                  std::vector<log::field> context) {
  self->set_exception_handler([component, context = std::move(context)](
                                  caf::scheduled_actor* a, std::exception_ptr& e) -> caf::error {
    std::string what = "an exception that is not std::exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
    auto fields = context;
    fields.emplace_back("actor", std::to_string(a->id()));
    fields.emplace_back("name", a->name());
    fields.emplace_back("what", what);
    log::write(log_level::error, component, "actor failed", fields);
    return caf::exit_reason::unhandled_exception;
  });
}

void announce_ready(caf::local_actor* self, const caf::actor& supervisor, actor_id id) {
  caf::send_as(caf::actor_cast<caf::actor>(self), supervisor, ready_atom::value, id);
}

child_spec supervisor_child(supervisor_spec spec, restart_type restart) {
  child_spec c;
  c.kind = "supervisor";
  c.tags = {{"name", spec.name}};
  c.restart = restart;
  c.start = [spec = std::move(spec), trail = std::make_shared<last_incarnations>()](
                caf::local_actor* parent, const child_context& ctx) {
    return parent->spawn(supervisor_behavior, spec, ctx.svc, ctx.id, ctx.supervisor, root_hooks{},
                         trail);
  };
  return c;
}

caf::actor spawn_root(caf::actor_system& system, services& svc, actor_id id, supervisor_spec spec,
                      root_hooks hooks) {
  auto root = system.spawn(supervisor_behavior, std::move(spec), &svc, id, caf::actor{},
                           std::move(hooks), std::make_shared<last_incarnations>());
  svc.registry.bind(id, [root] { caf::anon_send_exit(root, caf::exit_reason::kill); });
  return root;
}

caf::error escalated_error() {
  return caf::error{escalated_code, parley_category};
}

bool is_abnormal(const caf::error& reason) {
  return reason && reason != caf::exit_reason::normal && reason != caf::exit_reason::user_shutdown;
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
