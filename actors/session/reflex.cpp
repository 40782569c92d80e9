#include "actors/session/reflex.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/session/playback.hpp"
#include "actors/session/voice_metrics.hpp"

namespace parley::session {

using namespace parley::messages;

namespace {

// Something is heard already, or is about to be: a reflex would only delay it.
bool room_busy(const session_state& st) {
  return st.reflex || st.ticking || !st.mem->playout.empty() || st.members->waiting_for_rejoin();
}

bool may_play(const session_state& st, const turn& t) {
  const bool answering = t.phase == turn_phase::answering || t.phase == turn_phase::voicing;
  return t.reflex_due && !t.reflexed && answering && !t.transcript.empty() && !t.audio_started() &&
         !room_busy(st);
}

}  // namespace

// The delay runs from the session's end of turn (speech_ended), not from
// the final transcript: the user has been waiting since then, and a slow
// recogniser is as much silence to them as a slow agent. (Not from their
// last voiced frame either: the silence window before speech_ended is how a
// pause is told from an end; speaking into it would talk over a pause.)
void arm_reflex(session_actor* self, const turn& t) {
  const auto& r = self->state.cfg.reflex;
  if (r.on && !t.reflexed) self->delayed_send(self, r.delay, reflex_atom::value, t.id);
}

void on_reflex_due(session_actor* self, turn_id id) {
  turn* t = find_turn(self, id);
  if (t == nullptr) return;
  t->reflex_due = true;
  try_reflex(self, *t);
}

void try_reflex(session_actor* self, turn& t) {
  auto& st = self->state;
  if (!may_play(st, t)) return;
  auto clips = st.cfg.catalog ? st.cfg.catalog->reflex_clips() : nullptr;
  const auto* clip = clips ? clips->next(st.mem->reflex_cursor, st.cfg.reflex.longest) : nullptr;
  if (clip == nullptr) return;
  t.reflexed = true;
  st.reflex = reflex_lane{t.id, std::move(clips), clip, 0};
  st.cfg.stats->reflexes.Increment();
  broadcast(self,
            events::reflex(t.id, clip->text, static_cast<std::uint32_t>(clip->frames.size())));
  start_playout(self);
}

void play_reflex_frame(session_actor* self) {
  auto& st = self->state;
  auto& lane = *st.reflex;
  const auto& frame = lane.clip->frames[lane.next++];
  for (auto& [user, m] : st.members->present()) self->send(m.client, reply_audio{frame});
  st.members->log(frame);
  st.cfg.stats->frames_out.Increment();
  if (lane.next < lane.clip->frames.size()) return;
  st.reflex.reset();
  st.pacer->hold(st.cfg.reflex.gap);
}

}  // namespace parley::session
