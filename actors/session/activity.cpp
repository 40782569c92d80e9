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
  // One timer at most: it is pending exactly while this is set.
  st.watching_activity = !st.mem->turns.empty() || !st.mem->playout.empty();
  if (st.watching_activity)
    self->delayed_send(self, activity_period, messages::activity_atom::value);
}

void wake_activity(session_actor* self) {
  if (!self->state.watching_activity) show_activity(self);
}

}  // namespace parley::session
