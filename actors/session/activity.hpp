#pragma once
// What a session is doing, for people watching it (the ops console):
// speaking while reply audio goes out, thinking while a turn waits on its
// transcript, reply or audio, listening otherwise. Shown as the session's
// `state` label, refreshed a few times a second (a registry write only
// when it changed).

#include <chrono>

#include "actors/session/session_state.hpp"

namespace parley::session {

const char* activity(const session_memory& mem);

inline constexpr std::chrono::milliseconds activity_period{250};

// Shows the activity now, and again every activity_period.
void show_activity(session_actor* self);

}  // namespace parley::session
