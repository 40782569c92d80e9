#include "runtime/server/application.hpp"

#include <algorithm>
#include <atomic>
#include <caf/all.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <tuple>

#include "actors/engines/engine_catalog.hpp"
#include "actors/session/guild_session.hpp"
#include "actors/session/voice_metrics.hpp"
#include "actors/transport/discord/discord_gateway.hpp"
#include "actors/transport/websocket/page.hpp"
#include "actors/transport/websocket/voice_gateway.hpp"
#include "messages/supervision.hpp"
#include "ops/fault_route.hpp"
#include "ops/ops_server.hpp"
#include "ops/routes.hpp"
#include "runtime/common/cores.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/memory_trimmer.hpp"
#include "runtime/common/supervisor.hpp"
#include "runtime/http/provider_metrics.hpp"

namespace parley::runtime {
namespace {

caf::actor_system_config& actor_config(caf::actor_system_config& c, const config& cfg) {
  // CAF's own default counts every core of the host, however few the
  // container may use; like CAF, at least 4 (a thread blocked in a socket
  // close must not stall the rest).
  const std::size_t threads =
      cfg.scheduler_threads > 0 ? cfg.scheduler_threads : std::max<std::size_t>(usable_cores(), 4);
  c.set("scheduler.max-threads", threads);
  // An idle worker polls the queues, sleeping 50 µs between polls by CAF's
  // default: under thousands of small messages a second it never reaches
  // the long sleep, and wakes 20 000 times a second. 250 µs took a third
  // off an idle speaker's CPU with the same turn overhead (benchmarks.md).
  c.set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::microseconds(250)});
  return c;
}

supervisor_spec top_supervisor(const config& cfg, std::string name) {
  supervisor_spec s;
  s.name = std::move(name);
  s.intensity = {static_cast<std::uint32_t>(cfg.restart_max),
                 std::chrono::duration_cast<std::chrono::milliseconds>(cfg.restart_period)};
  return s;
}

// For /health: each remote provider, how it is doing, and what serves
// when it fails.
nlohmann::json providers_json(const http::provider_board& board) {
  auto all = nlohmann::json::array();
  for (const auto& p : board.all()) {
    const auto s = p->read();
    nlohmann::json j = {{"engine", s.engine},   {"provider", s.provider},  {"on_failure", s.policy},
                        {"breaker", s.breaker}, {"calls", s.calls},        {"failures", s.failures},
                        {"retries", s.retries}, {"fallbacks", s.fallbacks}};
    j["last_failure"] =
        s.last_failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.last_failure);
    if (s.last_failure_at)
      j["last_failure_s_ago"] =
          std::chrono::duration<double>(std::chrono::system_clock::now() - *s.last_failure_at)
              .count();
    all.push_back(std::move(j));
  }
  return all;
}

engines::engine_settings engine_settings_of(const config& cfg) {
  engines::engine_settings e;
  e.stt = cfg.stt;
  e.stt_decoders = cfg.stt_decoders;
  e.stt_openai.base_url = cfg.stt_url;
  e.stt_openai.api_key = cfg.stt_key;
  e.stt_openai.model = cfg.stt_model;
  e.stt_openai.language = cfg.stt_language;
  e.stt_openai.total_timeout = cfg.stt_timeout;
  e.stt_openai.connect_timeout = std::min(e.stt_openai.connect_timeout, cfg.stt_timeout);
  e.stt_deepgram.base_url = cfg.stt_url;
  e.stt_deepgram.api_key = cfg.stt_key;
  e.stt_deepgram.model = cfg.stt_model;
  e.stt_deepgram.language = cfg.stt_language;
  e.stt_deepgram.endpointing = cfg.stt_endpointing;
  e.stt_deepgram.timeout = cfg.stt_timeout;
  e.stt_deepgram.ca_file = cfg.stt_ca_file;
  e.max_speakers = cfg.max_sessions;
  e.tts = cfg.tts;
  for (auto* l : {&e.tts_openai.limits, &e.tts_elevenlabs.limits}) {
    l->total = cfg.tts_timeout;
    l->first_byte = std::min(l->first_byte, cfg.tts_timeout);
    l->connect = std::min(l->connect, cfg.tts_timeout);
  }
  e.tts_openai.api_key = e.tts_elevenlabs.api_key = cfg.tts_key;
  // Empty: the provider's own default (load_config fills them in; a config
  // made in code may not).
  for (auto [from, openai, eleven] :
       {std::tuple{&cfg.tts_url, &e.tts_openai.base_url, &e.tts_elevenlabs.base_url},
        std::tuple{&cfg.tts_model, &e.tts_openai.model, &e.tts_elevenlabs.model},
        std::tuple{&cfg.tts_voice, &e.tts_openai.voice, &e.tts_elevenlabs.voice}})
    if (!from->empty()) *openai = *eleven = *from;
  e.tts_on_failure =
      http::parse_on_failure(cfg.tts_on_failure).value_or(http::on_failure::fallback);
  e.agent = cfg.agent;
  if (cfg.reflex.on) e.reflex_phrases = cfg.reflex.phrases;  // said once the tts engine loads
  e.openai.base_url = cfg.agent_url;
  e.openai.model = cfg.agent_model;
  e.openai.api_key = cfg.agent_key;
  if (!cfg.agent_system_prompt.empty()) e.openai.system_prompt = cfg.agent_system_prompt;
  return e;
}

transport::gateway_settings gateway_settings_of(const config& cfg) {
  transport::gateway_settings g;
  g.listener.host = cfg.voice_addr.host;
  g.listener.port = cfg.voice_addr.port;
  g.listener.tls_cert = cfg.tls_cert;
  g.listener.tls_key = cfg.tls_key;
  g.listener.max_message_bytes = cfg.max_message_bytes;
  g.listener.ping_interval = cfg.ping_interval;
  g.listener.idle_timeout = 3 * cfg.ping_interval;
  g.hello_timeout = cfg.hello_timeout;
  g.token = cfg.voice_token;
  g.allowed_origins = cfg.allowed_origins;
  g.trusted_proxies = cfg.trusted_proxies;
  g.max_sessions = cfg.max_sessions;
  g.max_per_address = cfg.max_per_address;
  g.page = transport::browser_page();
  return g;
}

// Every kind of actor the tree holds: their supervision metrics start at zero.
const std::vector<std::string> actor_kinds = {"supervisor",    "engine_host",  "voice_gateway",
                                              "guild_session", "audio_stream", "stt_job",
                                              "agent",         "tts_job"};

// The parts of the tree every turn needs; guild sessions and jobs come and go.
bool essential(const std::string& kind) {
  return kind == "supervisor" || kind == "engine_host" || kind == "voice_gateway";
}

constexpr auto probe_timeout = std::chrono::milliseconds(500);

// An essential actor between incarnations for longer than a restart of it
// takes (three times its last start-up, at least a second): a supervisor
// waiting out a backoff, an engine that cannot load, a port that cannot bind.
std::optional<std::string> stuck_restarts(const actor_registry& registry) {
  using namespace std::chrono;
  std::string why;
  const auto now = steady_clock::now();
  for (const auto& a : registry.snapshot()) {
    if (!essential(a.kind) || !a.unavailable_since) continue;
    const auto down = now - *a.unavailable_since;
    if (down < std::max<steady_clock::duration>(seconds(1), 3 * a.startup)) continue;
    auto name = a.tags.count("name") ? " " + a.tags.at("name") : std::string();
    why += (why.empty() ? "" : "; ") + a.kind + name + " (actor " + std::to_string(a.id) + ") " +
           to_string(a.state) + " for " +
           std::to_string(duration_cast<milliseconds>(down).count()) + " ms";
  }
  if (why.empty()) return std::nullopt;
  return why;
}

// The path every new voice connection takes: from the tree to the sessions
// supervisor (find_child_atom, as the transports ask), and an answer from it.
std::optional<std::string> sessions_reachable(caf::actor_system& system, const caf::actor& root) {
  caf::scoped_actor self{system};
  std::optional<std::string> failure;
  caf::actor sessions;
  self->request(root, probe_timeout, messages::find_child_atom::value, std::string("sessions"))
      .receive([&](caf::actor& s) { sessions = std::move(s); },
               [&](caf::error& e) {
                 failure = "the sessions supervisor cannot be reached: " + caf::to_string(e);
               });
  if (failure) return failure;
  self->request(sessions, probe_timeout, caf::get_atom::value)
      .receive([](std::size_t) {},
               [&](caf::error& e) {
                 failure = "the sessions supervisor does not answer: " + caf::to_string(e);
               });
  return failure;
}

}  // namespace

struct application::impl {
  config cfg;
  actor_registry registry;
  metrics stats{registry};
  readiness ready;
  services svc{registry, stats};
  // Declared before the actor system so they outlive it: messages still
  // queued when it goes may hold specs that point at them.
  std::shared_ptr<engines::engine_catalog> catalog = std::make_shared<engines::engine_catalog>();
  session::voice_metrics voice_stats{stats.registry()};
  discord::discord_metrics discord_stats{stats.registry()};
  caf::actor_system_config caf_cfg;
  caf::actor_system system;
  caf::actor root;
  std::unique_ptr<ops::ops_server> ops;
  std::optional<memory_trimmer> trimmer;
  std::shared_ptr<std::atomic<std::uint16_t>> voice_port =
      std::make_shared<std::atomic<std::uint16_t>>(0);
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::mutex mutex;
  std::condition_variable cv;
  std::optional<int> exit_code;
  bool shut_down = false;

  // The remote providers in use: their counts, breakers and policies, for
  // the engines, /metrics, /health and the engine hosts' labels.
  std::shared_ptr<http::provider_board> providers = std::make_shared<http::provider_board>();
  std::shared_ptr<http::provider_status> stt_status, tts_status;

  explicit impl(config c) : cfg(std::move(c)), system(actor_config(caf_cfg, cfg)) {
    if (cfg.stt == "openai" || cfg.stt == "deepgram") {
      stt_status = std::make_shared<http::provider_status>(
          "stt", cfg.stt, *http::parse_on_failure(cfg.stt_on_failure));
      providers->add(stt_status);
    }
    if (cfg.tts == "openai" || cfg.tts == "elevenlabs") {
      tts_status = std::make_shared<http::provider_status>(
          "tts", cfg.tts, *http::parse_on_failure(cfg.tts_on_failure));
      providers->add(tts_status);
    }
    stats.add_collectable(http::make_provider_collector(providers));
  }

  agent::agent_facts facts() {
    agent::agent_facts f;
    f.sessions = [this] {
      std::size_t n = 0;
      for (const auto& a : registry.snapshot()) n += a.kind == "guild_session" ? 1 : 0;
      return n;
    };
    f.uptime = [this] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                              started);
    };
    f.now = [] { return std::chrono::system_clock::now(); };
    return f;
  }

  // root (one_for_one)
  // ├── engines     engine_host per engine: stt pool, tts, agent
  // ├── transports  voice_gateway: the WebSocket voice port;
  // │               discord_gateway (with DISCORD_TOKEN): a discord_voice per guild
  // └── sessions    guild_session per guild, started on demand
  supervisor_spec tree() {
    auto root = top_supervisor(cfg, "root");
    auto engines = top_supervisor(cfg, "engines");
    auto engine_cfg = engine_settings_of(cfg);
    engine_cfg.stt_status = stt_status;
    engine_cfg.tts_status = tts_status;
    engines.children = engines::engine_hosts(catalog, engine_cfg, facts());
    auto transports = top_supervisor(cfg, "transports");
    auto gateway = gateway_settings_of(cfg);
    gateway.bound_port = voice_port;
    transports.children.push_back(transport::voice_gateway_spec(gateway, &voice_stats, &ready));
    if (cfg.discord.enabled())
      transports.children.push_back(
          discord::discord_gateway_spec({cfg.discord, nullptr, &discord_stats, &ready}));
    auto sessions_sup = top_supervisor(cfg, "sessions");
    sessions_sup.on_demand = session::guild_sessions(sessions());
    // Order matters: sessions need engines, and the voice port needs sessions.
    root.children = {supervisor_child(engines), supervisor_child(sessions_sup),
                     supervisor_child(transports)};
    return root;
  }

  // Turns already heard are answered before the process stops, up to the
  // drain deadline; what is left after it is logged.
  void drain() {
    if (!root || voice_stats.open.count() == 0) return;
    log::info("runtime", "draining",
              {{"open_turns", std::to_string(voice_stats.open.count())},
               {"deadline_s", std::to_string(cfg.drain_timeout.count())}});
    const auto t0 = std::chrono::steady_clock::now();
    if (voice_stats.open.wait_none(t0 + cfg.drain_timeout)) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
      log::info("runtime", "drained", {{"seconds", std::to_string(took.count())}});
    } else {
      log::warn("runtime", "drain deadline passed with turns open",
                {{"open_turns", std::to_string(voice_stats.open.count())}});
    }
  }

  session::session_settings sessions() {
    session::session_settings s;
    s.vad.silence_window = cfg.silence_window;
    s.end_of_turn = cfg.end_of_turn;
    s.stt_deadline = cfg.stt_deadline;
    s.agent_deadline = cfg.agent_deadline;
    s.tts_deadline = cfg.tts_deadline;
    s.reflex = cfg.reflex;
    s.catalog = catalog;
    s.stats = &voice_stats;
    s.intensity = {static_cast<std::uint32_t>(cfg.restart_max),
                   std::chrono::duration_cast<std::chrono::milliseconds>(cfg.restart_period)};
    return s;
  }
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
  d.trimmer.emplace(d.cfg.memory_trim);
  d.ready.require("supervision_tree", "the supervision tree is starting");
  d.ready.require("ops_endpoint", "the ops endpoint is not listening yet");
  const actor_id root_id = d.registry.add("supervisor", 0, {{"name", "root"}});
  root_hooks hooks;
  hooks.on_ready = [this] {
    impl_->ready.set_ok("supervision_tree");
    log::info("runtime", "supervision tree is up");
  };
  hooks.on_escalate = [this](const std::string& why) { stop(70, why); };
  d.ready.require("voice_port", "the voice port is not listening yet");
  log::add_secret(d.cfg.voice_token);
  log::add_secret(d.cfg.agent_key);
  log::add_secret(d.cfg.stt_key);
  log::add_secret(d.cfg.tts_key);
  d.stats.declare_kinds(actor_kinds);
  d.root = spawn_root(d.system, d.svc, root_id, d.tree(), hooks);
  d.root->attach_functor([this](const caf::error& reason) {
    stop(70, "the root supervisor ended: " + exit_label(reason));
  });
  d.ready.add_probe("actors", [&reg = d.registry] { return stuck_restarts(reg); });
  d.ready.add_probe("sessions",
                    [&sys = d.system, root = d.root] { return sessions_reachable(sys, root); });
  ops::ops_context ctx{d.registry, d.ready, d.stats, d.cfg.chaos, d.cfg.ops_token};
  for (auto& r : ops::fault_routes(d.catalog)) ctx.extra.push_back(std::move(r));
  ctx.providers = [providers = d.providers] { return providers_json(*providers); };
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
  d.ready.start_draining();  // /readyz 503 and no new connections from here on
  d.drain();
  if (d.root) caf::anon_send_exit(d.root, caf::exit_reason::user_shutdown);
  d.system.await_all_actors_done();
  d.ops.reset();
  log::info("runtime", "stopped");
}

std::uint16_t application::ops_port() const {
  return impl_->ops ? impl_->ops->port() : 0;
}
std::uint16_t application::voice_port() const {
  return impl_->voice_port->load();
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

caf::actor_system& application::system() {
  return impl_->system;
}

caf::actor application::root() const {
  return impl_->root;
}

}  // namespace parley::runtime
