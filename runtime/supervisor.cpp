#include "runtime/supervisor.hpp"

#include <caf/all.hpp>
#include <map>
#include <optional>

#include "messages/supervision.hpp"
#include "runtime/child_set.hpp"

namespace parley::runtime {
namespace {

using namespace parley::messages;

constexpr std::uint8_t escalated_code = 1;
const caf::atom_value parley_category = caf::atom("parley");

struct supervisor_state {
  std::optional<child_set> children;
  services* svc = nullptr;
  actor_id self_id = 0;
  caf::actor parent;  // invalid at the root
  root_hooks hooks;
  bool announced = false;
  // find_or_start requests waiting for a child between two incarnations.
  std::multimap<actor_id, caf::response_promise> waiting;
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

child_set::hooks set_hooks(sup_actor* self) {
  child_set::hooks h;
  h.on_started = [self](actor_id id, const caf::actor& handle, bool) {
    auto range = self->state.waiting.equal_range(id);
    for (auto it = range.first; it != range.second; ++it) it->second.deliver(handle);
    self->state.waiting.erase(range.first, range.second);
  };
  h.on_ended = [self](actor_id id, const std::string&) {
    auto range = self->state.waiting.equal_range(id);
    for (auto it = range.first; it != range.second; ++it)
      it->second.deliver(caf::make_error(caf::sec::request_receiver_down));
    self->state.waiting.erase(range.first, range.second);
    maybe_announce(self);
  };
  h.on_give_up = [self](const std::string& why) {
    if (!self->state.parent && self->state.hooks.on_escalate) self->state.hooks.on_escalate(why);
    self->quit(escalated_error());
  };
  return h;
}

caf::result<caf::actor> find_or_start(sup_actor* self, const std::string& label,
                                      const std::string& value, child_spec& spec) {
  auto& children = *self->state.children;
  auto id = children.find(label, value);
  if (!id) id = children.add(std::move(spec), false);
  if (auto h = children.handle(*id)) return h;
  auto promise = self->make_response_promise();
  self->state.waiting.emplace(*id, promise);
  return caf::delegated<caf::actor>{};
}

caf::behavior supervisor_behavior(sup_actor* self, supervisor_spec spec, services* svc,
                                  actor_id self_id, caf::actor parent, root_hooks hooks) {
  auto& st = self->state;
  st.svc = svc;
  st.self_id = self_id;
  st.parent = std::move(parent);
  st.hooks = std::move(hooks);
  if (!spec.registered_as.empty())
    self->system().registry().put(caf::atom_from_string(spec.registered_as),
                                  caf::actor_cast<caf::strong_actor_ptr>(self));
  auto initial = spec.children;
  st.children.emplace(self, svc, self_id, std::move(spec), set_hooks(self));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.children->handle_down(dm); });
  for (auto& child : initial) st.children->add(child, true);
  maybe_announce(self);
  return {
      [self](ready_atom, actor_id id) {
        if (self->state.children->handle_ready(
                id, caf::actor_cast<caf::actor_addr>(self->current_sender())))
          maybe_announce(self);
      },
      [self](restart_atom, actor_id id) { self->state.children->handle_restart_timer(id); },
      [](deadline_atom, caf::actor& late) { caf::anon_send_exit(late, caf::exit_reason::kill); },
      [self](start_child_atom, child_spec& spec) {
        return self->state.children->add(std::move(spec), false);
      },
      [self](stop_child_atom, actor_id id) { self->state.children->stop(id); },
      [self](find_or_start_atom, const std::string& label, const std::string& value,
             child_spec& spec) { return find_or_start(self, label, value, spec); },
  };
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
  c.start = [spec = std::move(spec)](caf::local_actor* parent, const child_context& ctx) {
    return parent->spawn(supervisor_behavior, spec, ctx.svc, ctx.id, ctx.supervisor, root_hooks{});
  };
  return c;
}

caf::actor spawn_root(caf::actor_system& system, services& svc, actor_id id, supervisor_spec spec,
                      root_hooks hooks) {
  auto root =
      system.spawn(supervisor_behavior, std::move(spec), &svc, id, caf::actor{}, std::move(hooks));
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
