#include "runtime/application.hpp"

#include <caf/all.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "ops/ops_server.hpp"
#include "ops/routes.hpp"
#include "runtime/log.hpp"
#include "runtime/supervisor.hpp"

namespace parley::runtime {
namespace {

caf::actor_system_config& actor_config(caf::actor_system_config& c, const config& cfg) {
  if (cfg.scheduler_threads > 0) c.set("scheduler.max-threads", cfg.scheduler_threads);
  return c;
}

supervisor_spec top_supervisor(const config& cfg, std::string name) {
  supervisor_spec s;
  s.name = std::move(name);
  s.intensity = {static_cast<std::uint32_t>(cfg.restart_max),
                 std::chrono::duration_cast<std::chrono::milliseconds>(cfg.restart_period)};
  return s;
}

// root (one_for_one)
// ├── engines     speech and agent engines, shared by all sessions
// ├── transports  listeners: the voice WebSocket; later Discord gateways
// └── sessions    guild_session per guild, started on demand
supervisor_spec tree(const config& cfg) {
  auto root = top_supervisor(cfg, "root");
  root.children.push_back(supervisor_child(top_supervisor(cfg, "engines")));
  root.children.push_back(supervisor_child(top_supervisor(cfg, "transports")));
  root.children.push_back(supervisor_child(top_supervisor(cfg, "sessions")));
  return root;
}

}  // namespace

struct application::impl {
  config cfg;
  actor_registry registry;
  metrics stats{registry};
  readiness ready;
  services svc{registry, stats};
  caf::actor_system_config caf_cfg;
  caf::actor_system system;
  caf::actor root;
  std::unique_ptr<ops::ops_server> ops;

  std::mutex mutex;
  std::condition_variable cv;
  std::optional<int> exit_code;
  bool shut_down = false;

  explicit impl(config c) : cfg(std::move(c)), system(actor_config(caf_cfg, cfg)) {}
};

application::application(config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {
  log::set_level(impl_->cfg.level);
  log::add_secret(impl_->cfg.ops_token);
}

application::~application() {
  shutdown();
}

void application::start() {
  auto& d = *impl_;
  d.ready.require("supervision_tree", "the supervision tree is starting");
  d.ready.require("ops_endpoint", "the ops endpoint is not listening yet");
  const actor_id root_id = d.registry.add("supervisor", 0, {{"name", "root"}});
  root_hooks hooks;
  hooks.on_ready = [this] {
    impl_->ready.set_ok("supervision_tree");
    log::info("runtime", "supervision tree is up");
  };
  hooks.on_escalate = [this](const std::string& why) { stop(70, why); };
  d.root = spawn_root(d.system, d.svc, root_id, tree(d.cfg), hooks);
  d.root->attach_functor([this](const caf::error& reason) {
    stop(70, "the root supervisor ended: " + exit_label(reason));
  });
  ops::ops_context ctx{d.registry, d.ready, d.stats, d.cfg.chaos, d.cfg.ops_token};
  d.ops = std::make_unique<ops::ops_server>(d.cfg.ops_addr.host, d.cfg.ops_addr.port,
                                            ops::make_router(ctx));
  d.ready.set_ok("ops_endpoint");
  log::info("ops", "ops endpoint listening",
            {{"addr", d.cfg.ops_addr.host + ":" + std::to_string(ops_port())},
             {"chaos", d.cfg.chaos ? "enabled" : "disabled"}});
}

int application::wait() {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->cv.wait(lock, [this] { return impl_->exit_code.has_value(); });
  return *impl_->exit_code;
}

void application::stop(int code, const std::string& why) {
  {
    std::lock_guard<std::mutex> guard(impl_->mutex);
    if (impl_->exit_code) return;
    impl_->exit_code = code;
  }
  if (code == 0)
    log::info("runtime", "stopping", {{"why", why}});
  else
    log::error("runtime", "stopping after a failure",
               {{"why", why}, {"exit_code", std::to_string(code)}});
  impl_->cv.notify_all();
}

void application::shutdown() {
  auto& d = *impl_;
  {
    std::lock_guard<std::mutex> guard(d.mutex);
    if (d.shut_down) return;
    d.shut_down = true;
    if (!d.exit_code) d.exit_code = 0;  // the root's end is expected from here on
  }
  d.ready.start_draining();
  if (d.root) caf::anon_send_exit(d.root, caf::exit_reason::user_shutdown);
  d.system.await_all_actors_done();
  d.ops.reset();
  log::info("runtime", "stopped");
}

std::uint16_t application::ops_port() const {
  return impl_->ops ? impl_->ops->port() : 0;
}
const config& application::settings() const {
  return impl_->cfg;
}
actor_registry& application::registry() {
  return impl_->registry;
}
readiness& application::ready() {
  return impl_->ready;
}
metrics& application::stats() {
  return impl_->stats;
}

}  // namespace parley::runtime
