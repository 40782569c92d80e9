#include "actors/transport/websocket/voice_gateway.hpp"

#include <openssl/crypto.h>

#include <caf/all.hpp>

#include "actors/session/guild_session.hpp"
#include "actors/session/voice_metrics.hpp"
#include "actors/transport/websocket/client_address.hpp"
#include "actors/transport/websocket/client_events.hpp"
#include "actors/transport/websocket/connection_table.hpp"
#include "actors/transport/websocket/voice_client.hpp"
#include "messages/supervision.hpp"
#include "messages/voice.hpp"
#include "runtime/common/child_set.hpp"
#include "runtime/common/log.hpp"

namespace parley::transport {
namespace {

using namespace parley::messages;

http_reply refuse(int status, const std::string& code, const std::string& message) {
  return {status, "application/json", encode_refusal(code, message)};
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

// Allows `rate` messages a second on average and bursts up to `burst`.
class token_bucket {
 public:
  token_bucket(double rate, double burst)
      : rate_(rate), burst_(burst), tokens_(burst), last_(std::chrono::steady_clock::now()) {}
  bool take(std::chrono::steady_clock::time_point now) {
    tokens_ =
        std::min(burst_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_, burst_, tokens_;
  std::chrono::steady_clock::time_point last_;
};

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Runs on the listener's I/O thread; talks to actors only by sending.
class gateway_events final : public listener_events {
 public:
  gateway_events(gateway_settings cfg, caf::actor_addr gateway,
                 std::shared_ptr<connection_table> table, runtime::readiness* ready)
      : cfg_(std::move(cfg)),
        gateway_(std::move(gateway)),
        table_(std::move(table)),
        ready_(ready) {}

  void attach(std::weak_ptr<voice_listener> l) { listener_ = std::move(l); }

  http_reply on_upgrade(const upgrade_request& req) override {
    if (req.path != "/v1/voice") return refuse(404, "not_found", "the voice endpoint is /v1/voice");
    auto guild = req.query.find("guild");
    auto user = req.query.find("user");
    if (guild == req.query.end() || user == req.query.end() || !valid_name(guild->second) ||
        !valid_name(user->second))
      return refuse(400, "bad_request",
                    "guild and user are required: 1-64 characters of A-Z a-z 0-9 _ . -");
    if (!cfg_.token.empty() && !authorized(req))
      return refuse(401, "unauthorized",
                    "a voice token is required (token= or Authorization: Bearer)");
    if (!origin_allowed(req.origin)) return refuse(403, "forbidden_origin", "origin not allowed");
    if (ready_ != nullptr && ready_->draining())
      return refuse(503, "busy", "the server is shutting down; reconnect elsewhere");
    if (table_->size() >= cfg_.max_sessions)
      return refuse(503, "busy", "the server holds its maximum of sessions; try again later");
    if (table_->from(client_of(req)) >= cfg_.max_per_address)
      return refuse(429, "too_many_connections", "too many connections from this address");
    return {101, "", ""};
  }

  // The connection's actor is started by the gateway, its supervisor; what
  // arrives meanwhile waits in the table.
  void on_open(connection_id id, const upgrade_request& req) override {
    table_->opened(id, client_of(req));
    // Bursts of five seconds at the limit (ten of audio): a network stall,
    // or this server's own, delivers seconds of frames at once; a flood
    // still trips it.
    buckets_.emplace(id,
                     token_bucket(cfg_.max_messages_per_second, 5 * cfg_.max_messages_per_second));
    if (auto g = caf::actor_cast<caf::actor>(gateway_))
      caf::anon_send(g, ws_open_atom::value, id, req.query.at("guild"), req.query.at("user"));
  }

  void on_text(connection_id id, std::string payload) override {
    if (admit(id)) table_->deliver(id, std::move(payload), false);
  }

  void on_binary(connection_id id, std::string payload) override {
    if (admit(id)) table_->deliver(id, std::move(payload), true);
  }

  void on_close(connection_id id) override {
    buckets_.erase(id);
    table_->closed(id);
  }

  http_reply on_http(const std::string& path) override {
    if (path == "/" || path == "/index.html") return {200, "text/html; charset=utf-8", cfg_.page};
    return refuse(404, "not_found", "nothing at " + path);
  }

 private:
  // Counted as messages arrive, so a server that falls behind does not
  // mistake its own backlog for a flooding client.
  bool admit(connection_id id) {
    auto it = buckets_.find(id);
    if (it == buckets_.end()) return false;  // refused already: the close is under way
    if (it->second.take(std::chrono::steady_clock::now())) return true;
    buckets_.erase(it);
    log::warn("transport", "rate limited: closing connection",
              {{"connection", std::to_string(id)}});
    if (auto l = listener_.lock()) {
      l->send_text(id, encode_error("rate_limited", "too many messages"));
      l->close(id, 1008, "too many messages");
    }
    return false;
  }

  std::string client_of(const upgrade_request& req) const {
    return client_address(req.remote, req.forwarded_for, cfg_.trusted_proxies);
  }

  bool authorized(const upgrade_request& req) const {
    auto t = req.query.find("token");
    if (t != req.query.end() && same_secret(t->second, cfg_.token)) return true;
    static const std::string bearer = "Bearer ";
    return req.authorization.compare(0, bearer.size(), bearer) == 0 &&
           same_secret(req.authorization.substr(bearer.size()), cfg_.token);
  }

  bool origin_allowed(const std::string& origin) const {
    if (cfg_.allowed_origins.empty() || origin.empty())
      return true;  // non-browser clients send none
    for (const auto& o : cfg_.allowed_origins)
      if (o == origin) return true;
    return false;
  }

  gateway_settings cfg_;
  caf::actor_addr gateway_;  // weak: the gateway owns this object
  std::shared_ptr<connection_table> table_;
  runtime::readiness* ready_;
  std::weak_ptr<voice_listener> listener_;
  std::map<connection_id, token_bucket> buckets_;
};

struct gateway_state {
  gateway_state() = default;
  gateway_state(const gateway_state&) = delete;
  gateway_state& operator=(const gateway_state&) = delete;
  // Before the listener closes the port (which waits for close handshakes):
  // from here on a connection would be refused.
  // The port is freed here, not whenever the last sender lets go of the
  // listener: a restarted gateway binds it as soon as this one has ended.
  ~gateway_state() {
    if (ready != nullptr)
      ready->set_failing("voice_port", "the voice gateway is restarting", owner);
    if (listener) listener->stop();
  }

  runtime::readiness* ready = nullptr;
  std::uint64_t owner = 0;                 // this incarnation's claim on the voice_port check
  std::shared_ptr<gateway_events> events;  // shared with the listener, whose thread calls in
  std::shared_ptr<voice_listener> listener;
  std::shared_ptr<connection_table> table = std::make_shared<connection_table>();
  // Each connection is a child of the gateway (temporary: a connection
  // actor that dies is not restarted; its socket is closed with 1011 and
  // the client reconnects and resumes).
  std::optional<runtime::child_set> connections;
  std::map<runtime::actor_id, connection_id> by_child;
  static inline const char* name = "voice_gateway";
};

using gateway_actor = caf::stateful_actor<gateway_state>;

void on_connection_ended(gateway_actor* self, runtime::actor_id child, const std::string& reason) {
  auto& st = self->state;
  auto it = st.by_child.find(child);
  if (it == st.by_child.end()) return;
  const auto id = it->second;
  st.by_child.erase(it);
  st.table->ended(id);
  if (reason == "normal" || reason == "shutdown") return;
  log::warn("transport", "connection actor ended: closing its socket",
            {{"connection", std::to_string(id)}, {"reason", reason}});
  if (st.listener) {
    st.listener->send_text(id,
                           encode_error("internal", "the connection failed; reconnect and resume"));
    st.listener->close(id, 1011, "internal error");
  }
}

void start_connections(gateway_actor* self, const runtime::child_context& ctx) {
  runtime::supervisor_spec spec;
  spec.name = "voice_gateway";
  runtime::child_set::hooks hooks;
  hooks.on_ended = [self](runtime::actor_id id, const std::string& reason) {
    on_connection_ended(self, id, reason);
  };
  self->state.connections.emplace(self, ctx.svc, ctx.id, std::move(spec), std::move(hooks));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.connections->handle_down(dm); });
}

void open_connection(gateway_actor* self, const gateway_settings& settings,
                     session::voice_metrics* stats, const caf::actor& tree, connection_id id,
                     const std::string& guild, const std::string& user) {
  auto& st = self->state;
  client_settings c{id, guild, user, st.listener, tree, stats, settings.hello_timeout, {}};
  c.keep_silence = [table = std::weak_ptr<connection_table>(st.table), id](bool on) {
    if (auto t = table.lock()) t->keep_silence(id, on);
  };
  const auto child = st.connections->add(voice_client_spec(std::move(c)), false);
  st.by_child[child] = id;
  if (!st.table->started(id, st.connections->handle(child)))  // closed before it started
    st.connections->stop(child);
}

}  // namespace

runtime::child_spec voice_gateway_spec(gateway_settings settings, session::voice_metrics* stats,
                                       runtime::readiness* ready) {
  runtime::child_spec c;
  c.kind = "voice_gateway";
  c.tags = {{"port", std::to_string(settings.listener.port)}};
  c.start = [settings, stats, ready](caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn([settings, stats, ready, ctx](gateway_actor* self) -> caf::behavior {
      auto& st = self->state;
      if (ready != nullptr) {
        st.ready = ready;
        st.owner = ready->claim("voice_port", "the voice port is not listening yet");
      }
      start_connections(self, ctx);
      st.events = std::make_shared<gateway_events>(settings, caf::actor_cast<caf::actor_addr>(self),
                                                   st.table, ready);
      // A restarted gateway listens where its predecessor did, even when
      // the configured port was 0: clients reconnect to the same address.
      auto listen = settings.listener;
      if (listen.port == 0 && settings.bound_port) listen.port = settings.bound_port->load();
      st.listener = std::make_shared<voice_listener>(listen, st.events);
      st.events->attach(st.listener);
      if (settings.bound_port) settings.bound_port->store(st.listener->port());
      // The port it listens on, not the configured 0.
      ctx.svc->registry.set_label(ctx.id, "port", std::to_string(st.listener->port()));
      if (ready != nullptr) ready->set_ok("voice_port", st.owner);
      log::info("transport", "voice port listening",
                {{"addr", settings.listener.host + ":" + std::to_string(st.listener->port())},
                 {"tls", st.listener->tls() ? "on" : "off"}});
      runtime::announce_ready(self, ctx.supervisor, ctx.id);
      return caf::message_handler{
          [self](caf::get_atom) { return self->state.listener->port(); },
          [self, settings, stats, tree = ctx.supervisor](
              ws_open_atom, connection_id id, const std::string& guild, const std::string& user) {
            open_connection(self, settings, stats, tree, id, guild, user);
          },
      }
          .or_else(st.connections->handlers());
    });
  };
  return c;
}

}  // namespace parley::transport
