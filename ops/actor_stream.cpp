#include "ops/actor_stream.hpp"

#include <atomic>
#include <memory>
#include <thread>

namespace parley::ops {
namespace {

using nlohmann::json;
using runtime::actor_info;
using clock = std::chrono::steady_clock;

std::string event(const char* name, const json& data) {
  return std::string("event: ") + name + "\ndata: " + data.dump() + "\n\n";
}

bool same(const actor_info& a, const actor_info& b) {
  return a.kind == b.kind && a.parent == b.parent && a.tags == b.tags && a.state == b.state &&
         a.restarts == b.restarts && a.last_exit == b.last_exit && a.started == b.started;
}

// Sends the snapshot, then a change event whenever the registry moves, at
// most one per min_gap; returns when the client has gone or the server stops.
void follow(const runtime::actor_registry& reg, bool chaos, const stream_limits& limits,
            const stream_sink& sink) {
  auto version = reg.version();
  auto first = reg.snapshot();
  actor_changes changes(first);
  if (!sink.write(snapshot_event(first, chaos))) return;
  auto last_write = clock::now();
  while (!sink.stopping()) {
    const auto now_version = reg.wait_for_change(version, limits.stop_check);
    if (now_version == version) {
      if (clock::now() - last_write < limits.keepalive) continue;
      if (!sink.write(": keepalive\n\n")) return;
      last_write = clock::now();
      continue;
    }
    // What else changes within the gap goes out in the same event.
    std::this_thread::sleep_until(last_write + limits.min_gap);
    version = reg.version();
    const auto update = changes.next(reg.snapshot());
    if (update.empty()) continue;
    if (!sink.write(update)) return;
    last_write = clock::now();
  }
}

}  // namespace

json actor_json(const actor_info& a) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"parent", a.parent},
          {"labels", a.tags},
          {"state", runtime::to_string(a.state)},
          {"restarts", a.restarts},
          {"last_exit", a.last_exit.empty() ? json(nullptr) : json(a.last_exit)},
          {"uptime_s", std::chrono::duration<double>(clock::now() - a.started).count()}};
}

std::string snapshot_event(const std::vector<actor_info>& all, bool chaos) {
  json actors = json::array();
  for (const auto& a : all) actors.push_back(actor_json(a));
  return event("snapshot", {{"chaos", chaos}, {"actors", actors}});
}

actor_changes::actor_changes(const std::vector<actor_info>& first) {
  for (const auto& a : first) seen_.emplace(a.id, a);
}

std::string actor_changes::next(const std::vector<actor_info>& now) {
  json upsert = json::array();
  json remove = json::array();
  std::map<runtime::actor_id, actor_info> current;
  for (const auto& a : now) {
    auto was = seen_.find(a.id);
    if (was == seen_.end() || !same(was->second, a)) upsert.push_back(actor_json(a));
    current.emplace(a.id, a);
  }
  for (const auto& [id, a] : seen_)
    if (current.count(id) == 0) remove.push_back(id);
  seen_ = std::move(current);
  if (upsert.empty() && remove.empty()) return {};
  return event("change", {{"upsert", upsert}, {"remove", remove}});
}

route actor_stream_route(const runtime::actor_registry& registry, bool chaos,
                         stream_limits limits) {
  auto open = std::make_shared<std::atomic<std::size_t>>(0);
  return {"GET", "/actors/stream",
          "the supervision tree as server-sent events: a snapshot, then changes", false,
          [&registry, chaos, limits, open](const request&) {
            if (open->fetch_add(1) >= limits.max_streams) {
              open->fetch_sub(1);
              return json_error(503, "too_many_streams",
                                "at most " + std::to_string(limits.max_streams) +
                                    " streams at once; close a console and retry");
            }
            // Held by the response: the slot is free again however it ends.
            std::shared_ptr<void> slot(nullptr, [open](void*) { open->fetch_sub(1); });
            response r;
            r.content_type = "text/event-stream";
            r.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer events
            r.body = "retry: 1000\n\n";
            r.stream = [&registry, chaos, limits, slot](const stream_sink& sink) {
              follow(registry, chaos, limits, sink);
            };
            return r;
          }};
}

}  // namespace parley::ops
