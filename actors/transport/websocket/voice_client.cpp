#include "actors/transport/websocket/voice_client.hpp"

#include <caf/all.hpp>
#include <deque>

#include "actors/session/voice_metrics.hpp"
#include "actors/transport/websocket/client_events.hpp"
#include "actors/transport/websocket/client_message.hpp"
#include "messages/supervision.hpp"
#include "messages/voice.hpp"
#include "runtime/common/log.hpp"

namespace parley::transport {
namespace {

using namespace parley::messages;
using namespace std::chrono_literals;

enum class phase { awaiting_hello, joining, active };

struct client_state {
  connection_id id = 0;
  std::string guild, user;
  std::weak_ptr<connection_io> listener;
  caf::actor tree;  // the transport's supervisor: the way to the sessions
  phase now = phase::awaiting_hello;
  caf::actor session, stream;
  std::string token;  // the resume token: given to the session at every join
  // Events (errors aside) and reply packets passed on under the token,
  // counted from what the client said it had when it resumed.
  std::uint64_t received = 0;
  std::deque<audio_frame> unacked;  // sent to the stream, not yet done with
  std::uint64_t next_seq = 1;
  int join_tries = 0;  // since the last successful join
  static inline const char* name = "voice_client";
};

using client_actor = caf::stateful_actor<client_state>;

void send_text(client_actor* self, const std::string& text) {
  if (auto l = self->state.listener.lock()) l->send_text(self->state.id, text);
}

void send_error(client_actor* self, const std::string& code, const std::string& message) {
  send_text(self, encode_error(code, message));
}

void close_with(client_actor* self, std::uint16_t status, const std::string& code,
                const std::string& message) {
  log::warn("transport", "closing connection",
            {{"guild", self->state.guild},
             {"user", self->state.user},
             {"status", std::to_string(status)},
             {"code", code},
             {"why", message}});
  send_error(self, code, message);
  if (auto l = self->state.listener.lock()) l->close(self->state.id, status, message);
}

void replay(client_actor* self) {
  for (const auto& f : self->state.unacked) self->send(self->state.stream, f);
}

void join(client_actor* self);

// The sessions supervisor may itself be between incarnations (it is
// supervised too): try again shortly, for a bounded time, before giving up.
constexpr int max_join_tries = 100;
constexpr auto join_retry = 50ms;

void retry_join(client_actor* self, std::uint16_t status, const std::string& code,
                const std::string& message) {
  if (++self->state.join_tries >= max_join_tries) return close_with(self, status, code, message);
  self->delayed_send(self, join_retry, join_atom::value);
}

void joined(client_actor* self, caf::actor session) {
  auto& st = self->state;
  log::debug("transport", "joining session",
             {{"guild", st.guild}, {"user", st.user}, {"session", std::to_string(session.id())}});
  st.session = std::move(session);
  self->monitor(st.session);
  self->request(st.session, 10s, join_atom::value, st.user, caf::actor_cast<caf::actor>(self),
                st.token, st.received)
      .then(
          [self](std::string& token) {
            auto& st = self->state;
            log::debug("transport", "joined session",
                       {{"guild", st.guild},
                        {"user", st.user},
                        {"session", std::to_string(st.session.id())},
                        {"unacked", std::to_string(st.unacked.size())}});
            st.join_tries = 0;
            st.token = std::move(token);
            if (st.now == phase::active) return;  // a re-join after a session restart
            st.now = phase::active;
            send_text(self, encode_ready({st.guild, st.user,
                                          st.guild + "/" + st.user + "/" + std::to_string(st.id),
                                          st.token}));
          },
          [self, asked = caf::actor_cast<caf::actor_addr>(st.session)](caf::error& e) {
            // A session that died is rejoined by the down handler; joining
            // here too would join twice.
            if (e == caf::sec::request_timeout && self->state.session.address() == asked)
              retry_join(self, 1011, "internal", "could not join the session");
          });
}

// Finds (or starts) the guild's session through the sessions supervisor,
// reached through the tree (it waits for a supervisor between two
// incarnations); on a restarted session this runs again and the unacked
// frames are replayed.
void join(client_actor* self) {
  auto& st = self->state;
  auto failed = [self](caf::error&) {
    retry_join(self, 1011, "internal", "could not join the session");
  };
  self->request(st.tree, 10s, find_child_atom::value, std::string("sessions"))
      .then(
          [self, failed](caf::actor& sessions) {
            self->request(sessions, 10s, find_or_start_atom::value, self->state.guild)
                .then([self](caf::actor& s) { joined(self, std::move(s)); }, failed);
          },
          failed);
}

void on_text(client_actor* self, const std::string& payload) {
  auto& st = self->state;
  auto m = parse_client_message(payload);
  using kind = client_message::kind;
  switch (m.what) {
    case kind::invalid:
      if (m.close != 0) return close_with(self, m.close, m.code, m.message);
      return send_error(self, m.code, m.message);
    case kind::hello:
      if (st.now != phase::awaiting_hello)
        return send_error(self, "protocol", "hello was already sent");
      st.now = phase::joining;
      st.token = std::move(m.text);
      st.received = m.received;
      return join(self);
    case kind::text:
      if (st.now == phase::awaiting_hello)
        return close_with(self, 1008, "protocol", "send hello first");
      if (st.session) self->send(st.session, text_turn_atom::value, st.user, m.text);
      return;
  }
}

void on_binary(client_actor* self, std::string& payload) {
  auto& st = self->state;
  if (st.now == phase::awaiting_hello)
    return close_with(self, 1008, "protocol", "send hello first");
  audio_frame f{st.next_seq++, bytes(payload.begin(), payload.end())};
  if (st.stream) self->send(st.stream, f);
  st.unacked.push_back(std::move(f));
  // A client that never gets acks (no session) must not grow without bound.
  if (st.unacked.size() > 3000) st.unacked.pop_front();
}

caf::behavior voice_client(client_actor* self, client_settings cfg, runtime::child_context ctx) {
  auto& st = self->state;
  st.id = cfg.id;
  st.guild = std::move(cfg.guild);
  st.user = std::move(cfg.user);
  st.listener = std::move(cfg.listener);
  st.tree = std::move(cfg.tree);
  auto* stats = cfg.stats;
  stats->connections.Increment();
  self->attach_functor([stats](const caf::error&) { stats->connections.Decrement(); });
  self->delayed_send(self, cfg.hello_timeout, hello_deadline_atom::value);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source != st.session.address()) return;
    st.session = nullptr;
    st.stream = nullptr;
    join(self);  // the session restarts: join its replacement and replay
  });
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
  return {
      [self](ws_text_atom, std::string& p) { on_text(self, p); },
      [self](ws_binary_atom, std::string& p) { on_binary(self, p); },
      [self](ws_closed_atom) {
        if (self->state.session)
          self->send(self->state.session, leave_atom::value, self->state.user);
        self->quit();
      },
      [self](session_event& e) {
        if (e.type != event_type::error) ++self->state.received;
        send_text(self, encode_event(e));
      },
      [self](join_atom) {
        if (!self->state.session) join(self);
      },
      [self](hello_deadline_atom) {
        if (self->state.now == phase::awaiting_hello)
          close_with(self, 1008, "protocol", "no hello in time; send hello first");
      },
      [self](reply_audio& a) {
        ++self->state.received;
        if (auto l = self->state.listener.lock())
          l->send_binary(self->state.id, std::string(a.opus.begin(), a.opus.end()));
      },
      [self](stream_atom, caf::actor& s) {
        log::debug("transport", "streaming to",
                   {{"guild", self->state.guild},
                    {"user", self->state.user},
                    {"stream", std::to_string(s.id())},
                    {"from", caf::to_string(self->current_sender())},
                    {"replay", std::to_string(self->state.unacked.size())}});
        self->state.stream = std::move(s);
        replay(self);
      },
      [self](frames_done& d) {
        auto& q = self->state.unacked;
        while (!q.empty() && q.front().seq <= d.seq) q.pop_front();
      },
  };
}

}  // namespace

runtime::child_spec voice_client_spec(client_settings settings) {
  runtime::child_spec c;
  c.kind = "voice_client";
  c.tags = {{"guild", settings.guild},
            {"user", settings.user},
            {"connection", std::to_string(settings.id)}};
  c.restart = runtime::restart_type::temporary;
  c.start = [settings](caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn(voice_client, settings, ctx);
  };
  return c;
}

}  // namespace parley::transport
