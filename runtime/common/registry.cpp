#include "runtime/common/registry.hpp"

namespace parley::runtime {

std::string to_string(actor_state s) {
  switch (s) {
    case actor_state::starting:
      return "starting";
    case actor_state::running:
      return "running";
    case actor_state::restarting:
      return "restarting";
    case actor_state::stopping:
      return "stopping";
  }
  return "unknown";
}

actor_id actor_registry::add(std::string kind, actor_id parent, labels tags) {
  std::lock_guard<std::mutex> guard(mutex_);
  const actor_id id = next_id_++;
  entry e;
  e.info.id = id;
  e.info.parent = parent;
  e.info.kind = std::move(kind);
  e.info.tags = std::move(tags);
  e.info.started = std::chrono::steady_clock::now();
  e.info.unavailable_since = e.info.started;
  auto known = known_startup_.find(slot_key(e.info));
  if (known != known_startup_.end()) e.info.startup = known->second;
  entries_.emplace(id, std::move(e));
  changed();
  return id;
}

void actor_registry::remove(actor_id id) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (entries_.erase(id) > 0) changed();
}

void actor_registry::bind(actor_id id, kill_fn kill) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.kill = std::move(kill);
  it->second.info.state = actor_state::starting;
  it->second.info.started = std::chrono::steady_clock::now();
  changed();
}

void actor_registry::set_label(actor_id id, const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& tag = it->second.info.tags[key];
  if (tag == value) return;  // labels refreshed on a timer change nothing
  tag = value;
  changed();
}

void actor_registry::set_state(actor_id id, actor_state state) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& info = it->second.info;
  if (state == actor_state::running && info.unavailable_since) {
    info.startup = std::chrono::steady_clock::now() - info.started;
    info.unavailable_since.reset();
    const auto key = slot_key(info);
    if (!key.empty()) known_startup_[key] = info.startup;
  }
  info.state = state;
  changed();
}

void actor_registry::record_exit(actor_id id, const std::string& reason, bool restarting) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.info.last_exit = reason;
  it->second.kill = nullptr;
  if (restarting) {
    it->second.info.state = actor_state::restarting;
    it->second.info.unavailable_since = std::chrono::steady_clock::now();
    ++it->second.info.restarts;
  } else {
    it->second.info.state = actor_state::stopping;
  }
  changed();
}

std::vector<actor_info> actor_registry::snapshot() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<actor_info> out;
  out.reserve(entries_.size());
  for (const auto& [id, e] : entries_) out.push_back(e.info);
  return out;
}

std::optional<actor_info> actor_registry::find(actor_id id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.info;
}

std::size_t actor_registry::count() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return entries_.size();
}

kill_result actor_registry::kill(actor_id id) const {
  kill_fn fn;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return kill_result::no_such_actor;
    fn = it->second.kill;
  }
  if (!fn) return kill_result::between_incarnations;
  fn();
  return kill_result::killed;
}

bool actor_registry::wait_until(const std::function<bool(const std::vector<actor_info>&)>& pred,
                                std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    std::vector<actor_info> snap;
    snap.reserve(entries_.size());
    for (const auto& [id, e] : entries_) snap.push_back(e.info);
    if (pred(snap)) return true;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      snap.clear();
      for (const auto& [id, e] : entries_) snap.push_back(e.info);
      return pred(snap);
    }
  }
}

std::string actor_registry::slot_key(const actor_info& info) {
  auto name = info.tags.find("name");
  if (name == info.tags.end()) return {};
  return std::to_string(info.parent) + "/" + info.kind + "/" + name->second;
}

std::uint64_t actor_registry::version() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return version_;
}

std::uint64_t actor_registry::wait_for_change(std::uint64_t seen,
                                              std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return version_ != seen; });
  return version_;
}

// Called with the lock held.
void actor_registry::changed() {
  ++version_;
  cv_.notify_all();
}

}  // namespace parley::runtime
