#pragma once
// What a guild_session keeps across its own restarts: a killed session's
// replacement picks up every turn where it was (the supervisor's child spec
// holds this, not the actor).

#include <deque>
#include <map>

#include "actors/agent/agent_engine.hpp"
#include "actors/session/open_turns.hpp"
#include "actors/session/playout.hpp"
#include "actors/session/room.hpp"
#include "actors/session/turn.hpp"

namespace parley::session {

struct session_memory {
  explicit session_memory(open_turns* counter) : open(counter) {}
  session_memory(const session_memory&) = delete;
  session_memory& operator=(const session_memory&) = delete;
  // The session ended for good: what it held is not open any more.
  ~session_memory() {
    if (open != nullptr) open->closed(turns.size());
  }

  open_turns* open;  // counts `turns` across every session
  std::map<messages::turn_id, turn> turns;
  messages::turn_id next_turn = 1;
  reply_queue playout;                   // one reply plays at a time
  std::size_t reflex_cursor = 0;         // the reflex clips take turns
  std::deque<agent::chat_turn> history;  // short conversation memory
  // Who is in the room, and what those not connected right now are owed.
  room_memory room;
};

}  // namespace parley::session
