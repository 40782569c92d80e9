#include <random>

#include "actors/transport/discord/gateway_actor.hpp"
#include "actors/transport/discord/socket_events.hpp"
#include "runtime/common/log.hpp"

namespace parley::discord {

namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

using gws_text_atom = caf::atom_constant<caf::atom("dgwstext")>;
using gws_closed_atom = caf::atom_constant<caf::atom("dgwsclose")>;
using gbeat_atom = caf::atom_constant<caf::atom("dgbeat")>;
using gconnect_atom = caf::atom_constant<caf::atom("dgconnect")>;
using gflush_atom = caf::atom_constant<caf::atom("dgflush")>;
using gempty_atom = caf::atom_constant<caf::atom("dgempty")>;

// Discord's gateway: 120 sends per 60 s per connection; a few are kept for
// heartbeats, which must never wait.
constexpr std::size_t send_limit = 120;
constexpr std::size_t heartbeat_reserve = 5;
constexpr auto send_window = 60s;
// One identify per 5 s per bucket of max_concurrency 1 (Discord's
// session_start_limit): a shard that identifies again waits its turn.
constexpr auto identify_spacing = 5s;

std::string with_query(const std::string& url) {
  auto base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/?v=10&encoding=json";
}

void connect(gateway_actor* self) {
  auto& st = self->state;
  const auto gen = ++st.gen;
  auto h = forward_to<gws_text_atom, gws_closed_atom>(caf::actor_cast<caf::actor_addr>(self), gen);
  const auto& s = st.mem->session;
  const auto url = s.has_session() && !s.resume_url().empty() ? s.resume_url() : st.cfg.gateway_url;
  st.ws.reset();
  st.held.clear();
  st.ws = std::make_unique<net::wss_client>(net::wss_options{with_query(url), st.cfg.ca_file},
                                            std::move(h));
}

// Connects now, or once the identify spacing allows.
void connect_when_allowed(gateway_actor* self) {
  auto& st = self->state;
  const auto wait = st.mem->last_identify + identify_spacing - clock::now();
  if (st.mem->session.has_session() || wait <= clock::duration::zero()) return connect(self);
  self->delayed_send(self, std::chrono::duration_cast<std::chrono::milliseconds>(wait),
                     gconnect_atom::value, st.gen);
}

void flush_held(gateway_actor* self) {
  auto& st = self->state;
  while (!st.held.empty()) {
    const auto before = st.held.size();
    auto next = std::move(st.held.front());
    st.held.pop_front();
    send_gateway(self, next);
    if (st.held.size() >= before) return;  // held again: the window is full
  }
}

void on_hello(gateway_actor* self, std::chrono::milliseconds interval) {
  auto& st = self->state;
  const auto now = clock::now();
  const bool identify = !st.mem->session.has_session();
  const auto first = st.mem->session.on_hello(interval, now);
  if (identify) st.mem->last_identify = now;
  send_gateway(self, first);
  log::info(
      "discord", identify ? "gateway: identifying" : "gateway: resuming",
      {{"shard", std::to_string(st.cfg.shard.id) + "/" + std::to_string(st.cfg.shard.count)}});
  self->delayed_send(self, st.mem->session.next_heartbeat() - now, gbeat_atom::value, st.gen);
}

void on_text(gateway_actor* self, const std::string& text) {
  auto& st = self->state;
  std::string why;
  const auto m = decode_gateway(text, &why);
  if (!m) return log::warn("discord", "gateway message refused", {{"why", why}});
  if (m->what == gateway_message::kind::hello) return on_hello(self, m->heartbeat_interval);
  if (auto now_beat = st.mem->session.on_message(*m, clock::now()))
    send_gateway(self, *now_beat, true);
  if (m->what == gateway_message::kind::heartbeat_ack && st.metrics != nullptr)
    if (auto l = st.mem->session.latency())
      st.metrics->gateway_latency.Set(static_cast<double>(l->count()) / 1000.0);
  if (st.mem->session.pending()) {
    log::info("discord", "gateway asks for a new connection",
              {{"next", to_string(*st.mem->session.pending())}});
    if (st.ws) st.ws->close(4000, "reconnecting");  // not 1000: that would end the session
    return;
  }
  if (m->what == gateway_message::kind::dispatch) on_dispatch(self, m->event, m->data);
}

void on_closed(gateway_actor* self, int code, const std::string& why) {
  auto& st = self->state;
  const auto meaning = meaning_of_close(code);
  const auto step = st.mem->session.on_close(code);
  if (step == next_step::stop) {
    log::error("discord", "gateway closed for good: " + meaning.why,
               {{"code", std::to_string(code)}});
    if (st.ready != nullptr)
      st.ready->set_failing("discord", "Discord closed the gateway for good (" +
                                           std::to_string(code) + "): " + meaning.why);
    return self->quit();
  }
  ++st.mem->reconnects;
  if (st.metrics != nullptr) st.metrics->gateway_reconnects.Increment();
  log::warn("discord", "gateway closed",
            {{"code", std::to_string(code)}, {"why", why}, {"next", to_string(step)}});
  // Discord asks for a random wait of 1-5 s before identifying again.
  const auto wait =
      step == next_step::identify
          ? std::chrono::milliseconds(std::uniform_int_distribution<int>(1000, 5000)(st.mem->rng))
          : std::chrono::milliseconds(250);
  self->delayed_send(self, wait, gconnect_atom::value, st.gen);
}

void on_beat(gateway_actor* self) {
  auto& st = self->state;
  const auto now = clock::now();
  if (auto beat = st.mem->session.on_heartbeat_due(now)) {
    send_gateway(self, *beat, true);
    self->delayed_send(self, st.mem->session.next_heartbeat() - now, gbeat_atom::value, st.gen);
    return;
  }
  log::warn("discord", "gateway heartbeat never acknowledged: resuming");
  if (st.ws) st.ws->close(4000, "zombie connection");
}

void start_voices(gateway_actor* self, const runtime::child_context& ctx) {
  auto& st = self->state;
  runtime::supervisor_spec spec;
  spec.name = "discord_gateway";
  runtime::child_set::hooks hooks;
  hooks.on_ended = [self](runtime::actor_id id, const std::string& reason) {
    on_voice_ended(self, id, reason);
  };
  st.voices.emplace(self, ctx.svc, ctx.id, std::move(spec), std::move(hooks));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.voices->handle_down(dm); });
}

caf::behavior discord_gateway(gateway_actor* self, gateway_settings cfg,
                              runtime::child_context ctx) {
  auto& st = self->state;
  st.cfg = std::move(cfg.discord);
  st.mem = std::move(cfg.memory);
  st.metrics = cfg.metrics;
  st.ready = cfg.ready;
  if (st.ready != nullptr) st.ready->set_ok("discord");
  st.tree = ctx.supervisor;
  st.rest = std::make_unique<rest_worker>(
      std::make_shared<rest_client>(st.cfg.api_url, st.cfg.token, st.cfg.ca_file));
  start_voices(self, ctx);
  restart_voices(self);
  connect_when_allowed(self);
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
  return caf::message_handler{
      [self](gws_text_atom, std::uint64_t gen, std::string& text) {
        if (gen == self->state.gen) on_text(self, text);
      },
      [self](gws_closed_atom, std::uint64_t gen, int code, std::string& why) {
        if (gen == self->state.gen) on_closed(self, code, why);
      },
      [self](gconnect_atom, std::uint64_t gen) {
        if (gen == self->state.gen) connect_when_allowed(self);
      },
      [self](gbeat_atom, std::uint64_t gen) {
        if (gen == self->state.gen) on_beat(self);
      },
      [self](gflush_atom) { flush_held(self); },
      [self](gempty_atom, std::string& guild) { on_empty_check(self, guild); },
  }
      .or_else(st.voices->handlers());
}

}  // namespace

void send_gateway(gateway_actor* self, const std::string& payload, bool heartbeat) {
  auto& st = self->state;
  if (!st.ws) return;
  auto& sent = st.mem->sent;
  const auto now = clock::now();
  while (!sent.empty() && now - sent.front() >= send_window) sent.pop_front();
  if (!heartbeat && sent.size() + heartbeat_reserve >= send_limit) {
    st.held.push_back(payload);
    self->delayed_send(self, sent.front() + send_window - now, gflush_atom::value);
    return;
  }
  sent.push_back(now);
  st.ws->send_text(payload);
}

void schedule_empty_check(gateway_actor* self, const std::string& guild) {
  self->delayed_send(self, self->state.cfg.empty_leave, gempty_atom::value, guild);
}

rest_worker::rest_worker(std::shared_ptr<rest_client> rest)
    : rest_(std::move(rest)), thread_([this] {
        for (;;) {
          std::function<void(rest_client&)> job;
          {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
          }
          job(*rest_);
        }
      }) {}

rest_worker::~rest_worker() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void rest_worker::post(std::function<void(rest_client&)> job) {
  {
    std::lock_guard<std::mutex> g(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_all();
}

runtime::child_spec discord_gateway_spec(gateway_settings settings) {
  if (!settings.memory)
    settings.memory =
        std::make_shared<gateway_memory>(settings.discord.token, settings.discord.shard);
  runtime::child_spec c;
  c.kind = "discord_gateway";
  c.tags = {{"shard", std::to_string(settings.discord.shard.id) + "/" +
                          std::to_string(settings.discord.shard.count)}};
  // Killed: started again, and it resumes. Closed for good (a bad token):
  // it ends and stays ended, with the reason in the log.
  c.restart = runtime::restart_type::transient;
  c.start = [settings](caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn(discord_gateway, settings, ctx);
  };
  return c;
}

}  // namespace parley::discord
