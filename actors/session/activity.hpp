#pragma once
// What a session is doing, for people watching it (the ops console):
// speaking while reply audio goes out, thinking while a turn waits on its
// transcript, reply or audio, listening otherwise. Shown as the session's
// `state` label, refreshed a few times a second while anything is under way
// (a registry write only when it changed). A room at rest (no turn, nothing
// to play) has no timer: only a new turn can change what it does, and
// opening one wakes the label (an idle room is most rooms, and four timer
// messages a second each cost them a few per cent: docs/benchmarks.md).

#include <chrono>

#include "actors/session/session_state.hpp"

namespace parley::session {

const char* activity(const session_memory& mem);

inline constexpr std::chrono::milliseconds activity_period{250};

// Shows the activity now, and again every activity_period until at rest.
void show_activity(session_actor* self);
// Something began: shows it and watches again, unless already watching.
void wake_activity(session_actor* self);

}  // namespace parley::session
