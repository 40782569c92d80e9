#include "actors/transport/websocket/voice_client.hpp"

#include <caf/all.hpp>
#include <deque>
#include <nlohmann/json.hpp>

#include "actors/session/voice_metrics.hpp"
#include "messages/supervision.hpp"
#include "messages/voice.hpp"
#include "runtime/build_info.hpp"

namespace parley::transport {
namespace {

using namespace parley::messages;
using nlohmann::json;
using namespace std::chrono_literals;

enum class phase { awaiting_hello, joining, active };

struct client_state {
  connection_id id = 0;
  std::string guild, user;
  std::weak_ptr<voice_listener> listener;
  session::session_settings sessions;
  phase now = phase::awaiting_hello;
  caf::actor session, stream;
  std::deque<audio_frame> unacked;  // sent to the stream, not yet done with
  std::uint64_t next_seq = 1;
  static inline const char* name = "voice_client";
};

using client_actor = caf::stateful_actor<client_state>;

void send_text(client_actor* self, const std::string& text) {
  if (auto l = self->state.listener.lock()) l->send_text(self->state.id, text);
}

void send_error(client_actor* self, const std::string& code, const std::string& message) {
  send_text(self, json{{"type", "error"}, {"code", code}, {"message", message}}.dump());
}

void close_with(client_actor* self, std::uint16_t status, const std::string& code,
                const std::string& message) {
  send_error(self, code, message);
  if (auto l = self->state.listener.lock()) l->close(self->state.id, status, message);
}

void replay(client_actor* self) {
  for (const auto& f : self->state.unacked) self->send(self->state.stream, f);
}

void join(client_actor* self);

void joined(client_actor* self, caf::actor session) {
  auto& st = self->state;
  st.session = std::move(session);
  self->monitor(st.session);
  self->request(st.session, 10s, join_atom::value, st.user, caf::actor_cast<caf::actor>(self))
      .then(
          [self](bool) {
            auto& st = self->state;
            if (st.now == phase::active) return;  // a re-join after a session restart
            st.now = phase::active;
            send_text(self,
                      json{{"type", "ready"},
                           {"protocol", 1},
                           {"guild", st.guild},
                           {"user", st.user},
                           {"session", st.guild + "/" + st.user + "/" + std::to_string(st.id)},
                           {"sample_rate", 48000},
                           {"channels", 1},
                           {"frame_ms", 20},
                           {"server", std::string("parley/") + build_info::version}}
                          .dump());
          },
          [self](caf::error&) { join(self); });
}

// Finds (or starts) the guild's session through the sessions supervisor; on
// a restarted session this runs again and the unacked frames are replayed.
void join(client_actor* self) {
  auto& st = self->state;
  auto sup = self->system().registry().get(caf::atom("sessions"));
  if (!sup) {
    close_with(self, 1013, "busy", "the server is not ready for sessions");
    return;
  }
  self->request(caf::actor_cast<caf::actor>(sup), 10s, find_or_start_atom::value,
                std::string("guild"), st.guild, session::guild_session_spec(st.guild, st.sessions))
      .then([self](caf::actor& s) { joined(self, std::move(s)); },
            [self](caf::error&) {
              close_with(self, 1011, "internal", "could not join the session");
            });
}

bool hello_ok(const json& j) {
  return j.value("codec", "") == "opus" && j.value("sample_rate", 0) == 48000 &&
         j.value("channels", 0) == 1 && j.value("frame_ms", 0) == 20;
}

void on_text(client_actor* self, const std::string& payload) {
  auto& st = self->state;
  json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return send_error(self, "bad_json", "a text message must be a JSON object");
  const std::string type = j.value("type", "");
  if (type == "hello") {
    if (st.now != phase::awaiting_hello)
      return send_error(self, "protocol", "hello was already sent");
    if (!hello_ok(j))
      return close_with(self, 1003, "unsupported_format",
                        "only opus, 48000 Hz, 1 channel, 20 ms frames are supported");
    st.now = phase::joining;
    return join(self);
  }
  if (st.now == phase::awaiting_hello)
    return close_with(self, 1008, "protocol", "send hello first");
  if (type == "text") {
    const std::string text = j.value("text", "");
    if (text.empty() || text.size() > 2000)
      return send_error(self, "protocol", "text must hold 1 to 2000 characters");
    if (st.session) self->send(st.session, text_turn_atom::value, st.user, text);
    return;
  }
  send_error(self, "unknown_type", "unknown message type '" + type + "'");
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

caf::behavior voice_client(client_actor* self, connection_id id, std::string guild,
                           std::string user, std::weak_ptr<voice_listener> listener,
                           session::session_settings sessions) {
  auto& st = self->state;
  st.id = id;
  st.guild = std::move(guild);
  st.user = std::move(user);
  st.listener = std::move(listener);
  st.sessions = std::move(sessions);
  st.sessions.stats->connections.Increment();
  self->attach_functor(
      [stats = st.sessions.stats](const caf::error&) { stats->connections.Decrement(); });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source != st.session.address()) return;
    st.session = nullptr;
    st.stream = nullptr;
    join(self);  // the session restarts: join its replacement and replay
  });
  return {
      [self](ws_text_atom, std::string& p) { on_text(self, p); },
      [self](ws_binary_atom, std::string& p) { on_binary(self, p); },
      [self](ws_closed_atom) {
        if (self->state.session)
          self->send(self->state.session, leave_atom::value, self->state.user);
        self->quit();
      },
      [self](client_event& e) { send_text(self, e.json); },
      [self](client_audio& a) {
        if (auto l = self->state.listener.lock())
          l->send_binary(self->state.id, std::string(a.opus.begin(), a.opus.end()));
      },
      [self](stream_atom, caf::actor& s) {
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

caf::actor spawn_voice_client(caf::actor_system& sys, connection_id id, std::string guild,
                              std::string user, std::weak_ptr<voice_listener> listener,
                              session::session_settings sessions) {
  return sys.spawn(voice_client, id, std::move(guild), std::move(user), std::move(listener),
                   std::move(sessions));
}

}  // namespace parley::transport
