#pragma once
// The reply's way out: frames paced at 20 ms to every member present, and
// barge-in, which stops what plays.

#include <string>

#include "actors/session/session_state.hpp"

namespace parley::session {

// Starts pacing when frames wait and nobody who would miss them is away.
void start_playout(session_actor* self);
// The next frame is due.
void tick(session_actor* self);
// The turn's reply was made and every frame of it has gone out: it ends.
void maybe_end_audio(session_actor* self, turn& t);
// Someone spoke over the reply: it stops at once, its jobs too.
void cancel_replies(session_actor* self, const std::string& reason);

}  // namespace parley::session
