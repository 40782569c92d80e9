// DAVE inside the discord_voice actor: the voice gateway's DAVE opcodes go
// to the call's dave_session (kept in the voice memory), what it answers
// goes back on the socket, and its state is published for /voice status
// and the ops endpoint.

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/voice_connection_state.hpp"

namespace parley::discord {

namespace {

void send_all(connection_actor* self, const std::vector<dave::outbound>& frames) {
  auto& st = self->state;
  if (!st.ws) return;
  for (const auto& f : frames) {
    if (f.binary) {
      st.ws->send_binary(f.payload);
    } else {
      st.ws->send_text(f.payload);
    }
  }
}

void publish(connection_actor* self) {
  auto& st = self->state;
  auto& d = *st.mem().dave;
  dave_status s;
  s.protocol_version = d.protocol_version();
  s.epoch = d.epoch();
  s.privacy_code = d.privacy_code();
  s.members = d.members().size();
  const auto epoch = s.epoch ? std::to_string(*s.epoch) : std::string("none");
  st.counters().set_dave(s);
  auto& seen = st.mem().dave_counted;
  const auto& now = d.stats();
  st.metrics().dave_transitions.Increment(static_cast<double>(now.transitions - seen.transitions));
  st.metrics().dave_invalid.Increment(static_cast<double>(now.invalid - seen.invalid));
  seen = now;
  if (st.registry == nullptr) return;
  st.registry->set_label(st.id, "dave_version", std::to_string(s.protocol_version));
  st.registry->set_label(st.id, "dave_epoch", epoch);
  st.registry->set_label(st.id, "privacy_code", s.privacy_code);
}

// Nullptr when the ids are not Discord snowflakes (DAVE carries them as
// 64-bit numbers): logged, and the call goes on without DAVE.
dave::dave_session* session_of(connection_actor* self) {
  auto& mem = self->state.mem();
  if (!mem.dave) {
    const auto& j = mem.session.join();
    auto log = [guild = j.guild_id, channel = j.channel_id](const std::string& what,
                                                            const std::string& why) {
      log::write(runtime::log_level::warn, "discord", "DAVE: " + what,
                 {{"guild", guild}, {"channel", channel}, {"why", why}});
    };
    try {
      mem.dave = std::make_unique<dave::dave_session>(j.user_id, j.channel_id, std::move(log));
    } catch (const mls::error& e) {
      say(self, runtime::log_level::error, "DAVE cannot start", {{"why", e.what()}});
      return nullptr;
    }
  }
  return mem.dave.get();
}

}  // namespace

void dave_forget(connection_actor* self) {
  self->state.mem().dave.reset();
  self->state.mem().dave_counted = {};
}

void dave_event(connection_actor* self, const voice_message& m) {
  using k = voice_message::kind;
  auto* session = session_of(self);
  if (session == nullptr) return;
  auto& d = *session;
  switch (m.what) {
    case k::session_description:
      send_all(self, d.on_protocol(m.dave_protocol_version));
      break;
    case k::resumed:
      send_all(self, d.on_resumed());
      break;
    case k::dave_prepare_transition:
      send_all(self, d.on_prepare_transition(m.transition_id, m.protocol_version));
      break;
    case k::dave_execute_transition:
      send_all(self, d.on_execute_transition(m.transition_id));
      break;
    case k::dave_prepare_epoch:
      send_all(self, d.on_prepare_epoch(m.protocol_version, m.epoch));
      break;
    case k::clients_connect:
      d.users_connected(m.user_ids);
      break;
    case k::client_disconnect:
      for (const auto& u : m.user_ids) d.user_disconnected(u);
      break;
    default:
      return;
  }
  publish(self);
}

void dave_binary(connection_actor* self, const std::string& data) {
  // [u16 sequence][u8 opcode][payload]; the sequence counts for seq_ack.
  if (data.size() < 3) {
    say(self, runtime::log_level::warn, "voice binary message refused",
        {{"why", "shorter than its header"}});
    return;
  }
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
  self->state.session().on_binary_sequence(static_cast<std::uint16_t>((p[0] << 8) | p[1]));
  auto* session = session_of(self);
  if (session == nullptr) return;
  send_all(self, session->on_binary(p[2], p + 3, data.size() - 3));
  publish(self);
}

std::optional<bytes> dave_outgoing(connection_actor* self, bytes opus) {
  auto& mem = self->state.mem();
  if (!mem.dave) return opus;
  return mem.dave->encrypt(opus);
}

std::optional<bytes> dave_incoming(connection_actor* self, const std::string& user, bytes frame) {
  auto& mem = self->state.mem();
  if (!mem.dave) return frame;
  return mem.dave->decrypt(user, frame);
}

}  // namespace parley::discord
