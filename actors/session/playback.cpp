#include "actors/session/playback.hpp"

#include <caf/all.hpp>
#include <vector>

#include "actors/session/reflex.hpp"
#include "actors/session/voice_metrics.hpp"

namespace parley::session {

using namespace parley::messages;

void maybe_end_audio(session_actor* self, turn& t) {
  if (!t.audio_complete() || self->state.mem->playout.holds(t.id)) return;
  if (t.audio_started()) broadcast(self, events::audio_ended(t.id, t.frames_sent));
  finish_turn(self, t);
}

// Reply audio waits while a member of the room has not rejoined a restarted
// session: they would miss it.
void start_playout(session_actor* self) {
  auto& st = self->state;
  if (st.ticking || (st.mem->playout.empty() && !st.reflex) || st.members->waiting_for_rejoin())
    return;
  st.ticking = true;
  st.pacer->start();
  tick(self);
}

namespace {

void play(session_actor* self, turn& t, bytes frame) {
  auto& st = self->state;
  if (!t.audio_started()) {
    broadcast(self, events::audio_started(t.id));
    if (!t.transcript.empty() && t.last_voice_at != turn::clock::time_point{})
      st.cfg.stats->turn_latency.Observe(
          std::chrono::duration<double>(turn::clock::now() - t.last_voice_at).count());
  }
  for (auto& [user, m] : st.members->present()) self->send(m.client, reply_audio{frame});
  st.members->log(std::move(frame));
  ++t.frames_sent;
  st.cfg.stats->frames_out.Increment();
  maybe_end_audio(self, t);
}

}  // namespace

// A reflex plays ahead of the queue: the reply's frames wait behind it.
void tick(session_actor* self) {
  auto& st = self->state;
  if (st.reflex) {
    play_reflex_frame(self);
  } else if (auto next = st.mem->playout.pop()) {
    if (turn* t = find_turn(self, next->first); t != nullptr && !t->interrupted())
      play(self, *t, std::move(next->second));
  } else {  // (`away` only shrinks while ticking)
    st.ticking = false;
    return;
  }
  self->delayed_send(self,
                     std::chrono::duration_cast<std::chrono::microseconds>(st.pacer->after_frame()),
                     tick_atom::value);
}

void cancel_replies(session_actor* self, const std::string& reason) {
  auto& st = self->state;
  std::vector<turn_id> cut;
  // A turn whose reflex plays is heard already: it is cut off like a reply.
  const turn_id reflexing = st.reflex ? st.reflex->turn : 0;
  st.reflex.reset();
  for (auto& [id, t] : st.mem->turns) {
    if (!(t.audio_started() || id == reflexing) || !t.interrupt()) continue;
    cut.push_back(id);
    st.cfg.stats->barge_ins.Increment();
    broadcast(self, events::interrupted(id, reason));
  }
  st.mem->playout.drop([self](turn_id id) {
    auto* t = find_turn(self, id);
    return t == nullptr || t->interrupted();
  });
  for (auto id : cut) finish_turn(self, st.mem->turns.at(id));
}

}  // namespace parley::session
