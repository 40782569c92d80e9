#include "actors/session/activity.hpp"

#include <caf/all.hpp>

namespace parley::session {

const char* activity(const session_memory& mem) {
  bool waiting = false;
  for (const auto& [id, t] : mem.turns) {
    if (t.interrupted()) continue;
    if (t.audio_started()) return "speaking";
    if (!t.speaking()) waiting = true;
  }
  if (!mem.playout.empty()) return "speaking";
  return waiting ? "thinking" : "listening";
}

void show_activity(session_actor* self) {
  auto& st = self->state;
  const char* now = activity(*st.mem);
  if (st.registry != nullptr && now != st.shown_activity)
    st.registry->set_label(st.id, "state", now);
  st.shown_activity = now;
  self->delayed_send(self, activity_period, messages::activity_atom::value);
}

}  // namespace parley::session
