#pragma once
// Inside a guild_session: its state, and the steps its parts share. The
// actor (guild_session.cpp) wires membership, the turn's stages
// (turn_stages.cpp) and the reply's playout (playback.cpp) together.

#include <caf/stateful_actor.hpp>
#include <memory>
#include <optional>
#include <string>

#include "actors/session/guild_session.hpp"
#include "actors/session/session_memory.hpp"
#include "actors/tts/reflex_clips.hpp"
#include "messages/session_events.hpp"
#include "runtime/common/child_set.hpp"

namespace parley::session {

// A reflex on its way out: it plays ahead of every reply frame queued.
// Of this incarnation only: a restarted session does not finish a reflex
// cut off by the restart (the reply is what matters then).
struct reflex_lane {
  messages::turn_id turn = 0;
  std::shared_ptr<const tts::reflex_clips> clips;  // holds `clip`
  const tts::reflex_clip* clip = nullptr;
  std::size_t next = 0;  // its next frame
};

struct session_state {
  std::string guild;
  session_settings cfg;
  std::shared_ptr<session_memory> mem;  // outlives this incarnation
  std::optional<runtime::child_set> children;
  std::optional<room> members;  // over mem->room
  std::optional<playout_clock> pacer;
  bool ticking = false;
  std::optional<reflex_lane> reflex;
  runtime::actor_registry* registry = nullptr;  // for the session's own labels
  runtime::actor_id id = 0;
  const char* shown_activity = nullptr;  // activity.hpp
  bool watching_activity = false;
  static inline const char* name = "guild_session";
};

using session_actor = caf::stateful_actor<session_state>;

// To every member present, and into the room's log for those away.
void broadcast(session_actor* self, const messages::session_event& e);
turn* find_turn(session_actor* self, messages::turn_id id);
turn& open_turn(session_actor* self, const std::string& user);
void stop_job(session_actor* self, runtime::actor_id& job);
// The transport may forget the user's frames up to `seq`.
void ack(session_actor* self, const std::string& user, std::uint64_t seq);
// Every turn leaves the session's memory through here, so the count of
// open turns stays true.
void drop_turn(session_actor* self, messages::turn_id id);
// The turn was answered (or given up): it leaves the session's memory.
void finish_turn(session_actor* self, turn& t);
// Drops the user's utterance still being spoken, whose frames are gone
// with its stream or connection. Returns the last frame held by the
// utterances that ended.
std::uint64_t drop_cut_utterance(session_actor* self, const std::string& user);

}  // namespace parley::session
