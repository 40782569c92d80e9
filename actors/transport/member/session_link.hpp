#pragma once
// A member's side of the transport contract (messages/transport.hpp), the
// same for every transport: find the room through the tree, join it,
// rejoin a restarted session with the resume token, number the person's
// Opus frames, keep them until the core says it holds them, and replay
// the kept ones to every new audio_stream. A member actor keeps one
// session_link in its state and routes the contract's messages to it.
//
// Silence packets (DTX) that arrive while the person is not speaking stay
// here: they change nothing the core acts on, and at 50 a second per
// listener they were most of what an idle room cost.

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "messages/transport.hpp"

namespace parley::transport {

class session_link {
 public:
  struct hooks {
    // Joined (again): `first` on the first join of this member.
    std::function<void(bool first)> on_joined;
    // The room could not be joined for `max_join_tries` attempts.
    std::function<void()> on_gave_up;
  };

  session_link(std::string guild, std::string user, caf::actor tree, hooks h);

  // The member's first join, with what a returning client said it had.
  void start(caf::event_based_actor* self, std::string token = {}, std::uint64_t received = 0);
  // Routed from the member's behavior.
  void on_join_retry(caf::event_based_actor* self);  // join_atom
  bool on_down(caf::event_based_actor* self, const caf::down_msg& dm);
  void on_stream(caf::event_based_actor* self, caf::actor stream);
  void on_done(const messages::frames_done& d);
  // An event of the room, as the member hands it on: counted for resume
  // (errors aside); the person's own speech_started and speech_ended say
  // whether the core is hearing them speak now (see frame()).
  void on_event(caf::event_based_actor* self, const messages::session_event& e);
  // A reply packet handed on, counted for resume.
  void count_received() { ++received_; }
  // The person's next Opus frame.
  void frame(caf::event_based_actor* self, messages::bytes opus);
  // `n` silence packets its transport kept back, in their place among the
  // frames: numbered and kept back as frame() would have.
  void kept_silence(caf::event_based_actor* self, std::uint64_t n);
  void text_turn(caf::event_based_actor* self, const std::string& text);
  void leave(caf::event_based_actor* self);

  const std::string& guild() const { return guild_; }
  const std::string& user() const { return user_; }
  const std::string& token() const { return token_; }
  bool joined() const { return static_cast<bool>(session_); }
  // The core hears the person speak: their silence now ends the turn.
  bool speaking() const { return speaking_; }
  std::size_t unacked() const { return unacked_.size(); }

 private:
  void join(caf::event_based_actor* self);
  void joined(caf::event_based_actor* self, caf::actor session);
  void retry(caf::event_based_actor* self);
  void announce_skipped(caf::event_based_actor* self);

  std::string guild_, user_;
  caf::actor tree_, session_, stream_;
  hooks hooks_;
  std::string token_;           // the resume token: given to the session at every join
  std::uint64_t received_ = 0;  // events (errors aside) and reply packets under it
  std::deque<messages::audio_frame> unacked_;
  std::uint64_t next_seq_ = 1;
  int join_tries_ = 0;  // since the last successful join
  bool speaking_ = false;
  std::uint64_t skipped_ = 0;  // the last silence packet kept back, until a stream hears of it
  bool ever_joined_ = false;
};

}  // namespace parley::transport
