#include "runtime/common/child_set.hpp"

#include <caf/all.hpp>

#include "messages/supervision.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/metrics.hpp"

namespace parley::runtime {

using clock = std::chrono::steady_clock;
using namespace parley::messages;

struct slot {
  child_spec spec;
  actor_id id = 0;
  caf::actor handle;
  bool initial = false;       // counts toward the owner's readiness
  bool ready = false;         // has announced ready at least once
  bool stopping = false;      // stopped on purpose: never restarted
  std::uint32_t attempt = 0;  // restarts since it last ran stably
  clock::time_point started_at;
  std::optional<clock::time_point> down_at;  // set while recovering
  caf::actor_addr predecessor;               // set while waiting for it to end
  std::shared_ptr<cancel_token> cancel;      // the running incarnation's
};

namespace {

// A child's log line carries its tags (a job's turn, a stream's guild and
// user), so one grep for a turn finds its restarts too.
std::vector<log::field> with_tags(const slot& s, std::vector<log::field> f) {
  for (const auto& [k, v] : s.spec.tags) f.emplace_back(k.c_str(), v);
  return f;
}

}  // namespace

child_set::child_set(caf::event_based_actor* owner, services* svc, actor_id owner_id,
                     supervisor_spec spec, hooks h)
    : owner_(owner),
      svc_(svc),
      owner_id_(owner_id),
      spec_(std::move(spec)),
      hooks_(std::move(h)),
      slots_(std::make_shared<std::vector<slot>>()),
      window_(spec_.intensity),
      rng_(std::random_device{}()) {
  // Children die with their owner, whatever ends it: a replacement owner
  // starts a fresh set. A functor, because it must run even on kill.
  owner_->attach_functor([slots = slots_, svc](const caf::error&) {
    for (auto& s : *slots) {
      if (s.cancel) s.cancel->cancel();
      if (s.handle) caf::anon_send_exit(s.handle, caf::exit_reason::kill);
      svc->registry.remove(s.id);
    }
  });
}

child_set::~child_set() = default;

slot* child_set::find_slot(actor_id id) const {
  for (auto& s : *slots_)
    if (s.id == id) return &s;
  return nullptr;
}

slot* child_set::find_slot(const caf::actor_addr& addr) const {
  for (auto& s : *slots_)
    if (s.handle && s.handle.address() == addr) return &s;
  return nullptr;
}

void child_set::start(slot& s, bool restart) {
  s.cancel = std::make_shared<cancel_token>();
  child_context ctx{s.id, caf::actor_cast<caf::actor>(owner_), svc_, s.cancel};
  s.handle = s.spec.start(owner_, ctx);
  s.started_at = clock::now();
  owner_->monitor(s.handle);
  svc_->registry.bind(s.id, [h = s.handle, c = s.cancel] {
    c->cancel();
    caf::anon_send_exit(h, caf::exit_reason::kill);
  });
  if (hooks_.on_started) hooks_.on_started(s.id, s.handle, restart);
}

actor_id child_set::add(child_spec spec, bool initial, const caf::actor_addr& predecessor) {
  slot s;
  s.id = svc_->registry.add(spec.kind, owner_id_, spec.tags);
  s.spec = std::move(spec);
  s.initial = initial;
  slots_->push_back(std::move(s));
  auto& added = slots_->back();
  if (auto old = caf::actor_cast<caf::actor>(predecessor)) {
    added.predecessor = predecessor;
    owner_->monitor(old);  // ended already: the down message comes at once
  } else {
    start(added, false);
  }
  return added.id;
}

void child_set::stop(actor_id id) {
  slot* s = find_slot(id);
  if (s == nullptr) return;
  s->stopping = true;
  if (!s->handle) {  // waiting out a backoff: nothing runs, just forget it
    remove(id, "shutdown");
    return;
  }
  svc_->registry.set_state(id, actor_state::stopping);
  if (s->cancel) s->cancel->cancel();
  caf::anon_send_exit(s->handle, caf::exit_reason::user_shutdown);
  owner_->delayed_send(owner_, s->spec.shutdown, deadline_atom::value, s->handle);
}

bool child_set::handle_ready(actor_id id, const caf::actor_addr& sender) {
  slot* s = find_slot(id);
  if (s == nullptr || !s->handle || sender != s->handle.address()) return false;
  s->ready = true;
  if (s->down_at) {
    const std::chrono::duration<double> took = clock::now() - *s->down_at;
    svc_->stats.recovery_observed(s->spec.kind, took.count());
    s->down_at.reset();
  }
  // Last, so whoever waits for "running" also sees the recovery metric.
  svc_->registry.set_state(id, actor_state::running);
  return true;
}

caf::message_handler child_set::handlers() {
  return {
      [this](ready_atom, actor_id id) {
        if (handle_ready(id, caf::actor_cast<caf::actor_addr>(owner_->current_sender())) &&
            hooks_.on_ready)
          hooks_.on_ready(id);
      },
      [this](restart_atom, actor_id id) { handle_restart_timer(id); },
      [](deadline_atom, caf::actor& late) { caf::anon_send_exit(late, caf::exit_reason::kill); },
  };
}

void child_set::handle_restart_timer(actor_id id) {
  slot* s = find_slot(id);
  if (s != nullptr && !s->handle && !s->stopping) start(*s, true);
}

// Stops a running sibling on purpose so the strategy can restart it: ask
// politely, and kill once its shutdown deadline passes.
void child_set::stop_for_restart(slot& s) {
  if (!s.handle) return;
  owner_->demonitor(s.handle);
  if (s.cancel) s.cancel->cancel();
  caf::anon_send_exit(s.handle, caf::exit_reason::user_shutdown);
  owner_->delayed_send(owner_, s.spec.shutdown, deadline_atom::value, s.handle);
  s.handle = nullptr;
}

void child_set::remove(actor_id id, const std::string& reason) {
  svc_->registry.remove(id);
  auto& v = *slots_;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->id == id) {
      v.erase(it);
      break;
    }
  }
  if (hooks_.on_ended) hooks_.on_ended(id, reason);
}

bool child_set::handle_down(const caf::down_msg& dm) {
  for (auto& waiting : *slots_) {
    if (!waiting.predecessor || waiting.predecessor != dm.source) continue;
    waiting.predecessor = caf::actor_addr{};
    start(waiting, false);
    return true;
  }
  slot* s = find_slot(dm.source);
  if (s == nullptr) return false;
  const std::string reason = exit_label(dm.reason);
  const bool restart = !s->stopping && should_restart(s->spec.restart, is_abnormal(dm.reason));
  s->handle = nullptr;
  if (!restart) {
    log::write(runtime::log_level::debug, "supervisor", "child ended",
               with_tags(*s, {{"kind", s->spec.kind}, {"reason", reason}}));
    remove(s->id, reason);
    return true;
  }
  const auto now = clock::now();
  if (!window_.admit(now)) {
    svc_->stats.escalated(s->spec.kind);
    const std::string why = "supervisor '" + spec_.name + "' gave up: " + s->spec.kind +
                            " exceeded " + std::to_string(spec_.intensity.max_restarts) +
                            " restarts in " + std::to_string(spec_.intensity.period.count()) +
                            " ms (last exit: " + reason + ")";
    log::error("supervisor", why, {{"supervisor", spec_.name}, {"kind", s->spec.kind}});
    if (hooks_.on_give_up) hooks_.on_give_up(why);
    return true;
  }
  // Which slots go down with the failed one, by strategy; order = start order.
  auto& v = *slots_;
  const auto failed = static_cast<std::size_t>(s - v.data());
  std::vector<std::size_t> affected;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const bool hit = i == failed || spec_.restart_strategy == strategy::one_for_all ||
                     (spec_.restart_strategy == strategy::rest_for_one && i > failed);
    if (hit && !v[i].stopping) affected.push_back(i);
  }
  // A child that ran a while before dying is not crash-looping: it comes
  // back at once, however often it died before.
  if (now - s->started_at >= spec_.backoff.reset_after) s->attempt = 0;
  const auto delay = spec_.backoff.delay(s->attempt++, rng_);
  log::write(runtime::log_level::warn, "supervisor", "restarting child",
             with_tags(*s, {{"kind", s->spec.kind},
                            {"actor", std::to_string(s->id)},
                            {"reason", reason},
                            {"delay_ms", std::to_string(delay.count())}}));
  for (auto i : affected) {
    auto& a = v[i];
    const std::string why = i == failed ? reason : "sibling";
    stop_for_restart(a);
    a.down_at = now;
    svc_->registry.record_exit(a.id, why, true);
    svc_->stats.actor_restarted(a.spec.kind, why);
  }
  for (auto i : affected) {
    if (delay.count() == 0)
      start(v[i], true);
    else
      owner_->delayed_send(owner_, delay, restart_atom::value, v[i].id);
  }
  return true;
}

caf::actor child_set::handle(actor_id id) const {
  const slot* s = find_slot(id);
  return s != nullptr ? s->handle : caf::actor{};
}

std::optional<actor_id> child_set::find(const std::string& label, const std::string& value) const {
  for (const auto& s : *slots_) {
    auto it = s.spec.tags.find(label);
    if (!s.stopping && it != s.spec.tags.end() && it->second == value) return s.id;
  }
  return std::nullopt;
}

bool child_set::initial_children_ready() const {
  for (const auto& s : *slots_)
    if (s.initial && !s.ready) return false;
  return true;
}

std::size_t child_set::size() const {
  return slots_->size();
}

}  // namespace parley::runtime
