#pragma once
// The reflex lane. When a turn's reply has no audio a short while after the
// turn ended (a remote agent still thinking), the room hears a short
// pre-made acknowledgement ("One moment.") instead of silence. It plays
// ahead of the reply, whole: the reply's frames wait in the queue until it
// and a short gap are over. Barge-in stops both.
//
//   end of turn --delay--> due --(final transcript, room quiet)--> playing
//   playing --last frame--> gap --> the reply's frames, as ever
//   playing --barge-in--> gone, and the turn interrupted

#include "actors/session/session_state.hpp"

namespace parley::session {

// The turn has ended (spoken or typed): its reflex delay starts.
void arm_reflex(session_actor* self, const turn& t);
// The delay passed.
void on_reflex_due(session_actor* self, messages::turn_id id);
// Plays the turn's reflex if its delay passed and it may play now: the turn
// is being answered (a final transcript that is not empty: noise gets no
// acknowledgement), nothing of it is queued yet, and nothing else plays.
void try_reflex(session_actor* self, turn& t);
// The playout clock's next frame is the reflex's.
void play_reflex_frame(session_actor* self);

}  // namespace parley::session
