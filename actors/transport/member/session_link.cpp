#include "actors/transport/member/session_link.hpp"

#include <caf/all.hpp>

#include "actors/audio/opus_codec.hpp"
#include "messages/supervision.hpp"
#include "messages/voice.hpp"
#include "runtime/common/log.hpp"

namespace parley::transport {

using namespace parley::messages;
using namespace std::chrono_literals;

namespace {

// The sessions supervisor may itself be between incarnations (it is
// supervised too): try again shortly, for a bounded time, before giving up.
constexpr int max_join_tries = 100;
constexpr auto join_retry = 50ms;
// A member that never gets acknowledgements (no session) must not grow
// without bound: a minute of audio.
constexpr std::size_t max_unacked = 3000;

// A DTX encoder's packet, which carries no audio, or the three-byte Opus
// silence frame that Discord clients send when they stop.
bool is_silence(const bytes& opus) {
  static const bytes discord_silence{0xF8, 0xFF, 0xFE};
  return audio::is_dtx_packet(opus.size()) || opus == discord_silence;
}

}  // namespace

session_link::session_link(std::string guild, std::string user, caf::actor tree, hooks h)
    : guild_(std::move(guild)),
      user_(std::move(user)),
      tree_(std::move(tree)),
      hooks_(std::move(h)) {}

void session_link::start(caf::event_based_actor* self, std::string token, std::uint64_t received) {
  token_ = std::move(token);
  received_ = received;
  join(self);
}

void session_link::retry(caf::event_based_actor* self) {
  if (++join_tries_ >= max_join_tries) {
    if (hooks_.on_gave_up) hooks_.on_gave_up();
    return;
  }
  self->delayed_send(self, join_retry, join_atom::value);
}

void session_link::on_join_retry(caf::event_based_actor* self) {
  if (!session_) join(self);
}

// Finds (or starts) the guild's session through the sessions supervisor,
// reached through the tree (it waits for a supervisor between two
// incarnations).
void session_link::join(caf::event_based_actor* self) {
  auto failed = [this, self](caf::error&) { retry(self); };
  self->request(tree_, 10s, find_child_atom::value, std::string("sessions"))
      .then(
          [this, self, failed](caf::actor& sessions) {
            self->request(sessions, 10s, find_or_start_atom::value, guild_)
                .then([this, self](caf::actor& s) { joined(self, std::move(s)); }, failed);
          },
          failed);
}

void session_link::joined(caf::event_based_actor* self, caf::actor session) {
  log::debug("transport", "joining session",
             {{"guild", guild_}, {"user", user_}, {"session", std::to_string(session.id())}});
  session_ = std::move(session);
  self->monitor(session_);
  self->request(session_, 10s, join_atom::value, user_, caf::actor_cast<caf::actor>(self), token_,
                received_)
      .then(
          [this](std::string& token) {
            join_tries_ = 0;
            token_ = std::move(token);
            const bool first = !ever_joined_;
            ever_joined_ = true;
            if (hooks_.on_joined) hooks_.on_joined(first);
          },
          [this, self, asked = caf::actor_cast<caf::actor_addr>(session_)](caf::error& e) {
            // A session that died is rejoined by the down handler; joining
            // here too would join twice.
            if (e == caf::sec::request_timeout && session_.address() == asked) retry(self);
          });
}

bool session_link::on_down(caf::event_based_actor* self, const caf::down_msg& dm) {
  if (!session_ || dm.source != session_.address()) return false;
  session_ = nullptr;
  stream_ = nullptr;
  join(self);  // the session restarts: join its replacement and replay
  return true;
}

void session_link::on_stream(caf::event_based_actor* self, caf::actor stream) {
  stream_ = std::move(stream);
  for (const auto& f : unacked_) self->send(stream_, f);
}

void session_link::on_event(caf::event_based_actor* self, const session_event& e) {
  if (e.type != event_type::error) ++received_;
  if (e.user != user_) return;
  if (e.type == event_type::speech_ended) speaking_ = false;
  if (e.type != event_type::speech_started) return;
  speaking_ = true;
  // Silence kept back after the speech began (this news takes a moment)
  // is what will end the turn: the stream hears of it now.
  announce_skipped(self);
}

void session_link::announce_skipped(caf::event_based_actor* self) {
  if (!stream_ || skipped_ == 0) return;
  self->send(stream_, skip_atom::value, skipped_);
  skipped_ = 0;
}

void session_link::on_done(const frames_done& d) {
  while (!unacked_.empty() && unacked_.front().seq <= d.seq) unacked_.pop_front();
}

void session_link::frame(caf::event_based_actor* self, bytes opus) {
  const auto seq = next_seq_++;
  // While the person speaks, silence is what ends their turn: it goes on.
  if (!speaking_ && is_silence(opus)) {
    skipped_ = seq;
    return;
  }
  // The stream moves past the kept silence, which it would take for loss.
  announce_skipped(self);
  audio_frame f{seq, std::move(opus)};
  if (stream_) self->send(stream_, f);
  unacked_.push_back(std::move(f));
  if (unacked_.size() > max_unacked) unacked_.pop_front();
}

void session_link::kept_silence(caf::event_based_actor* self, std::uint64_t n) {
  if (n == 0) return;
  next_seq_ += n;
  skipped_ = next_seq_ - 1;
  // Kept by a transport that had not yet heard the speech begin.
  if (speaking_) announce_skipped(self);
}

void session_link::text_turn(caf::event_based_actor* self, const std::string& text) {
  if (session_) self->send(session_, text_turn_atom::value, user_, text);
}

void session_link::leave(caf::event_based_actor* self) {
  if (session_) self->send(session_, leave_atom::value, user_);
}

}  // namespace parley::transport
