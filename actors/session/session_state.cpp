#include "actors/session/session_state.hpp"

#include <caf/all.hpp>

#include "actors/session/activity.hpp"
#include "actors/session/voice_metrics.hpp"

namespace parley::session {

using namespace parley::messages;

void broadcast(session_actor* self, const session_event& e) {
  for (auto& [user, m] : self->state.members->present()) self->send(m.client, e);
  if (e.type != event_type::error) self->state.members->log(e);
}

turn* find_turn(session_actor* self, turn_id id) {
  auto it = self->state.mem->turns.find(id);
  return it == self->state.mem->turns.end() ? nullptr : &it->second;
}

turn& open_turn(session_actor* self, const std::string& user) {
  auto& st = self->state;
  const auto id = st.mem->next_turn++;
  auto& t = st.mem->turns[id];
  st.cfg.stats->open.opened();
  t.id = id;
  t.user = user;
  wake_activity(self);
  return t;
}

void stop_job(session_actor* self, runtime::actor_id& job) {
  if (job != 0) self->state.children->stop(job);
  job = 0;
}

// Every frame up to `seq` except those of an utterance still being spoken:
// an ended one's audio is in the session's memory, which outlives restarts.
// (Holding more would make every restart replay all the silence since.)
void ack(session_actor* self, const std::string& user, std::uint64_t seq) {
  auto* m = self->state.members->find(user);
  if (m == nullptr) return;
  for (auto& [id, t] : self->state.mem->turns)
    if (t.user == user && t.first_seq > 0 && t.speaking()) seq = std::min(seq, t.first_seq - 1);
  if (seq > 0) self->send(m->client, frames_done{seq});
}

void drop_turn(session_actor* self, turn_id id) {
  if (self->state.mem->turns.erase(id) > 0) self->state.cfg.stats->open.closed();
}

namespace {

void remember(session_state& st, const turn& t) {
  st.mem->history.push_back({"user", t.transcript});
  st.mem->history.push_back({"assistant", t.reply_text()});
  while (st.mem->history.size() > 2 * st.cfg.history_turns) st.mem->history.pop_front();
}

}  // namespace

void finish_turn(session_actor* self, turn& t) {
  auto& st = self->state;
  stop_job(self, t.stt);
  stop_job(self, t.agent);
  stop_job(self, t.tts);
  if (t.reply_complete() && !t.transcript.empty()) {
    remember(st, t);
    st.cfg.stats->turns.Increment();
  }
  const auto user = t.user;
  const auto last = t.last_seq;
  if (auto* m = st.members->find(user); m != nullptr && m->open == t.id) m->open.reset();
  drop_turn(self, t.id);
  if (last > 0) ack(self, user, last);
}

std::uint64_t drop_cut_utterance(session_actor* self, const std::string& user) {
  std::uint64_t held = 0;
  std::vector<turn_id> open;
  for (auto& [id, t] : self->state.mem->turns) {
    if (t.user != user) continue;
    if (t.speaking() && t.first_seq > 0)
      open.push_back(id);
    else
      held = std::max(held, t.last_seq);
  }
  for (auto id : open) {
    stop_job(self, self->state.mem->turns.at(id).stt);
    drop_turn(self, id);
  }
  return held;
}

}  // namespace parley::session
