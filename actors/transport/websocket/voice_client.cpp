#include "actors/transport/websocket/voice_client.hpp"

#include <caf/all.hpp>
#include <optional>

#include "actors/session/voice_metrics.hpp"
#include "actors/transport/member/session_link.hpp"
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
  std::weak_ptr<connection_io> listener;
  phase now = phase::awaiting_hello;
  std::optional<session_link> link;
  std::function<void(bool)> keep_silence;
  bool keeping_silence = false;
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
            {{"guild", self->state.link->guild()},
             {"user", self->state.link->user()},
             {"status", std::to_string(status)},
             {"code", code},
             {"why", message}});
  send_error(self, code, message);
  if (auto l = self->state.listener.lock()) l->close(self->state.id, status, message);
}

// A joined person who is not speaking sends silence that changes nothing:
// the listener keeps it back. Once the core hears them speak, silence ends
// their turn and must come through.
void sync_keep_silence(client_actor* self) {
  auto& st = self->state;
  const bool keep = st.now == phase::active && !st.link->speaking();
  if (keep == st.keeping_silence || !st.keep_silence) return;
  st.keeping_silence = keep;
  st.keep_silence(keep);
}

// Ready once, on the first join; a rejoin after a session restart is silent.
void on_joined(client_actor* self, bool first) {
  auto& st = self->state;
  if (!first || st.now == phase::active) return;
  st.now = phase::active;
  sync_keep_silence(self);
  const auto& l = *st.link;
  send_text(self,
            encode_ready({l.guild(), l.user(),
                          l.guild() + "/" + l.user() + "/" + std::to_string(st.id), l.token()}));
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
      return st.link->start(self, std::move(m.text), m.received);
    case kind::text:
      if (st.now == phase::awaiting_hello)
        return close_with(self, 1008, "protocol", "send hello first");
      return st.link->text_turn(self, m.text);
  }
}

void on_binary(client_actor* self, std::string& payload) {
  auto& st = self->state;
  if (st.now == phase::awaiting_hello)
    return close_with(self, 1008, "protocol", "send hello first");
  st.link->frame(self, bytes(payload.begin(), payload.end()));
}

caf::behavior voice_client(client_actor* self, client_settings cfg, runtime::child_context ctx) {
  auto& st = self->state;
  st.id = cfg.id;
  st.listener = std::move(cfg.listener);
  st.keep_silence = std::move(cfg.keep_silence);
  session_link::hooks hooks;
  hooks.on_joined = [self](bool first) { on_joined(self, first); };
  hooks.on_gave_up = [self] { close_with(self, 1011, "internal", "could not join the session"); };
  st.link.emplace(std::move(cfg.guild), std::move(cfg.user), std::move(cfg.tree), std::move(hooks));
  auto* stats = cfg.stats;
  stats->connections.Increment();
  self->attach_functor([stats](const caf::error&) { stats->connections.Decrement(); });
  self->delayed_send(self, cfg.hello_timeout, hello_deadline_atom::value);
  self->set_down_handler([self](caf::down_msg& dm) { self->state.link->on_down(self, dm); });
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
  return {
      [self](ws_text_atom, std::string& p) { on_text(self, p); },
      [self](ws_binary_atom, std::string& p) { on_binary(self, p); },
      [self](ws_silence_atom, std::uint64_t n) { self->state.link->kept_silence(self, n); },
      [self](ws_closed_atom) {
        self->state.link->leave(self);
        self->quit();
      },
      [self](session_event& e) {
        self->state.link->on_event(self, e);
        sync_keep_silence(self);
        send_text(self, encode_event(e));
      },
      [self](join_atom) { self->state.link->on_join_retry(self); },
      [self](hello_deadline_atom) {
        if (self->state.now == phase::awaiting_hello)
          close_with(self, 1008, "protocol", "no hello in time; send hello first");
      },
      [self](reply_audio& a) {
        self->state.link->count_received();
        if (auto l = self->state.listener.lock())
          l->send_binary(self->state.id, std::string(a.opus.begin(), a.opus.end()));
      },
      [self](stream_atom, caf::actor& s) {
        log::debug("transport", "streaming to",
                   {{"guild", self->state.link->guild()},
                    {"user", self->state.link->user()},
                    {"stream", std::to_string(s.id())},
                    {"replay", std::to_string(self->state.link->unacked())}});
        self->state.link->on_stream(self, std::move(s));
      },
      [self](frames_done& d) { self->state.link->on_done(d); },
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
