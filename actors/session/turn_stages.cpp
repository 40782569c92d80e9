#include "actors/session/turn_stages.hpp"

#include <caf/all.hpp>

#include "actors/agent/agent_job.hpp"
#include "actors/engines/engine_catalog.hpp"
#include "actors/session/end_of_turn.hpp"
#include "actors/session/playback.hpp"
#include "actors/session/reflex.hpp"
#include "actors/session/voice_metrics.hpp"
#include "actors/stt/stt_job.hpp"
#include "actors/tts/tts_job.hpp"
#include "messages/supervision.hpp"
#include "runtime/common/log.hpp"

namespace parley::session {
namespace {

using namespace parley::messages;
using clock = std::chrono::steady_clock;
const char* const apology = "Sorry, I could not answer that. Please try again.";

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

void arm_watchdog(session_actor* self, turn& t, const std::string& stage) {
  const auto& c = self->state.cfg;
  const auto deadline = stage == "stt"     ? c.stt_deadline
                        : stage == "agent" ? c.agent_deadline
                                           : c.tts_deadline;
  self->delayed_send(self, deadline, watchdog_atom::value, t.id, stage, ++t.watch[stage]);
}

void speak(session_actor* self, turn& t, std::uint32_t from) {
  auto& st = self->state;
  if (t.tts == 0) {
    t.tts = st.children->add(tts::tts_job_spec(t.id, st.cfg.catalog), false);
    arm_watchdog(self, t, "tts");
  }
  auto h = st.children->handle(t.tts);
  if (!h) return;
  for (auto i = from; i < t.sentences.size(); ++i)
    self->send(h, reply_sentence{t.id, i, t.sentences[i],
                                 t.reply_complete() && i + 1 == t.sentences.size()});
}

error_code failure_code(const std::string& stage) {
  return stage == "stt"     ? error_code::stt_failed
         : stage == "agent" ? error_code::agent_failed
                            : error_code::tts_failed;
}

void fail_turn(session_actor* self, turn& t, const std::string& stage, const std::string& why) {
  auto& st = self->state;
  st.cfg.stats->errors.Add({{"phase", stage}}).Increment();
  log::warn("session", "turn failed",
            {{"guild", st.guild},
             {"user", t.user},
             {"turn", std::to_string(t.id)},
             {"stage", stage},
             {"why", why}});
  broadcast(self, events::error(failure_code(stage), "could not answer: " + why, t.id));
  if (stage == "tts") return finish_turn(self, t);
  // Never silence: the user hears that it failed.
  stop_job(self, t.stt);
  stop_job(self, t.agent);
  stop_job(self, t.tts);
  t.answer_with(apology);
  broadcast(self, events::reply(t.id, apology, true));
  speak(self, t, 0);
}

void start_agent(session_actor* self, turn& t) {
  auto& st = self->state;
  agent::agent_request req;
  req.guild = st.guild;
  req.user = t.user;
  req.transcript = t.transcript;
  req.history.assign(st.mem->history.begin(), st.mem->history.end());
  t.transcript_at = clock::now();
  t.agent = st.children->add(agent::agent_job_spec(t.id, req, st.cfg.catalog), false);
  arm_watchdog(self, t, "agent");
}

// The turn's stt_job. A replacement (after a kill, a failure, or in a
// restarted session) goes on with the recognition the turn holds.
void start_stt(session_actor* self, turn& t) {
  auto& st = self->state;
  if (!t.heard) t.heard = std::make_shared<stt::recognition>();
  t.stt = st.children->add(stt::stt_job_spec(t.id, t.user, st.cfg.catalog, t.heard), false);
}

// A replacement job is sent the whole utterance kept so far; it skips what
// the turn's recognition heard already.
void feed_stt(session_actor* self, const turn& t, const caf::actor& h) {
  if (!h) return;
  if (!t.speaking() && t.heard) t.heard->speech_ended();
  self->send(h, speech_audio{t.user, t.audio});
  if (!t.speaking()) self->send(h, finish_atom::value);
}

void feed_tts(session_actor* self, const turn& t, const caf::actor& h) {
  for (auto i = t.sentences_voiced; i < t.sentences.size(); ++i)
    self->send(h, reply_sentence{t.id, i, t.sentences[i],
                                 t.reply_complete() && i + 1 == t.sentences.size()});
}

// The words so far decide how much silence ends the turn; the member's
// audio_stream is told when that changes. A recogniser that heard the
// speaker stop (a provider's endpointing, set by the operator) is believed.
void fit_silence_to_words(session_actor* self, turn& t, const transcript& partial) {
  const auto& cfg = self->state.cfg;
  const auto agent = cfg.catalog ? cfg.catalog->agent() : nullptr;
  const auto shape = partial.speech_over ? request_shape::whole
                                         : shape_of(partial.text, [&agent](std::string_view w) {
                                             return agent ? agent->shape(w) : request_shape::unsure;
                                           });
  const auto window = silence_for(shape, cfg.end_of_turn, cfg.vad.silence_window);
  if (window == t.silence_window) return;
  t.silence_window = window;
  auto* m = self->state.members->find(t.user);
  if (m == nullptr) return;
  if (auto h = self->state.children->handle(m->stream))
    self->send(h, silence_window{t.first_seq, static_cast<std::uint32_t>(window.count())});
}

turn* open_of(session_actor* self, const std::string& user) {
  auto* m = self->state.members->find(user);
  if (m == nullptr || !m->open) return nullptr;
  return find_turn(self, *m->open);
}

}  // namespace

void on_speech_start(session_actor* self, speech_start& s) {
  auto& t = open_turn(self, s.user);
  const auto id = t.id;
  t.first_seq = s.first_seq;
  t.silence_window = self->state.cfg.vad.silence_window;
  if (auto* m = self->state.members->find(s.user)) m->open = id;
  start_stt(self, t);
  broadcast(self, events::speech_started(s.user, id));
  cancel_replies(self, "barge_in");
}

void on_speech_audio(session_actor* self, speech_audio& a) {
  turn* t = open_of(self, a.user);
  if (t == nullptr) return;
  t->audio.insert(t->audio.end(), a.samples.begin(), a.samples.end());
  if (auto h = self->state.children->handle(t->stt)) self->send(h, std::move(a));
}

void on_speech_end(session_actor* self, speech_end& e) {
  turn* t = open_of(self, e.user);
  if (t == nullptr || !t->end_speech()) return;
  t->last_seq = e.last_seq;
  ack(self, e.user, e.last_seq);  // the utterance's frames are held here now
  t->speech_end_at = clock::now();
  t->last_voice_at = t->speech_end_at - std::chrono::milliseconds(e.silence_ms);
  const auto& cfg = self->state.cfg;
  cfg.stats->turn_ends
      .Add({{"window",
             window_name(std::chrono::milliseconds(e.silence_ms), cfg.vad.silence_window)}})
      .Increment();
  if (auto* m = self->state.members->find(e.user)) m->open.reset();
  broadcast(self, events::speech_ended(e.user, t->id));
  if (t->heard) t->heard->speech_ended();
  if (auto h = self->state.children->handle(t->stt)) self->send(h, finish_atom::value);
  arm_watchdog(self, *t, "stt");
  arm_reflex(self, *t);
}

void on_text_turn(session_actor* self, const std::string& user, const std::string& text) {
  cancel_replies(self, "barge_in");
  auto& t = open_turn(self, user);
  t.transcribe(text);
  t.last_voice_at = clock::now();
  broadcast(self, events::transcript(user, t.id, text, true));
  start_agent(self, t);
  arm_reflex(self, t);
}

void on_transcript(session_actor* self, transcript& tr) {
  turn* t = find_turn(self, tr.turn);
  if (t == nullptr || t->transcribed()) return;
  broadcast(self, events::transcript(t->user, t->id, tr.text, tr.final));
  if (!tr.final && t->speaking()) fit_silence_to_words(self, *t, tr);
  if (!tr.final || !t->transcribe(tr.text)) return;
  t->audio.clear();
  t->audio.shrink_to_fit();
  t->heard.reset();
  stop_job(self, t->stt);  // it ends by itself; stopped, it is not restarted
  self->state.cfg.stats->stt_seconds.Observe(seconds_since(t->speech_end_at));
  if (tr.text.empty()) return finish_turn(self, *t);  // nothing understood: nothing to answer
  start_agent(self, *t);
  try_reflex(self, *t);  // its delay may have passed while the recogniser finished
}

void on_sentence(session_actor* self, reply_sentence& r) {
  turn* t = find_turn(self, r.turn);
  // A re-run's repeat, or the reply of a turn that was cut off.
  if (t == nullptr || t->phase != turn_phase::answering || r.index < t->sentences.size()) return;
  if (t->sentences.empty())
    self->state.cfg.stats->agent_seconds.Observe(seconds_since(t->transcript_at));
  if (!r.text.empty() || !r.final) t->sentences.push_back(r.text);
  if (r.final) {
    t->complete_reply();
    stop_job(self, t->agent);
  }
  broadcast(self, events::reply(t->id, r.text, r.final));
  if (t->sentences.empty()) return finish_turn(self, *t);  // the agent had nothing to say
  if (t->tts == 0) return speak(self, *t, 0);
  if (auto h = self->state.children->handle(t->tts)) {
    if (r.text.empty()) {  // an empty final only closes the reply
      const auto last = static_cast<std::uint32_t>(t->sentences.size() - 1);
      self->send(h, reply_sentence{t->id, last + 1, "", true});
    } else {
      self->send(h, reply_sentence{t->id, r.index, r.text, r.final});
    }
  }
}

void on_sentence_audio(session_actor* self, sentence_audio& a) {
  turn* t = find_turn(self, a.turn);
  if (t == nullptr) return;
  auto piece = t->accept(a);
  if (!piece) return;
  for (auto i = piece->skip; i < a.frames.size(); ++i)
    self->state.mem->playout.push(t->id, std::move(a.frames[i]));
  if (piece->sentence_seconds) self->state.cfg.stats->tts_seconds.Observe(*piece->sentence_seconds);
  if (a.sentence_done && a.final && t->complete_audio())
    stop_job(self, t->tts);
  else
    arm_watchdog(self, *t, "tts");
  const auto id = t->id;
  start_playout(self);  // may finish the turn
  if (turn* again = find_turn(self, id); again != nullptr) maybe_end_audio(self, *again);
}

// A job past its deadline is stuck in an engine call: it cannot even take
// its kill until the call returns, so it is abandoned and the stage re-run.
void on_watchdog(session_actor* self, turn_id id, const std::string& stage, std::uint32_t gen) {
  turn* t = find_turn(self, id);
  if (t == nullptr || t->watch[stage] != gen) return;
  auto& job = stage == "stt" ? t->stt : stage == "agent" ? t->agent : t->tts;
  if (job == 0) return;
  auto& st = self->state;
  log::warn("session", "job past its deadline: abandoned",
            {{"guild", st.guild}, {"turn", std::to_string(id)}, {"stage", stage}});
  st.cfg.stats->watchdog_kills.Add({{"stage", stage}}).Increment();
  if (auto h = st.children->handle(job)) caf::anon_send_exit(h, caf::exit_reason::kill);
  stop_job(self, job);
  // Stuck inside the recogniser: the re-run cannot wait for it.
  if (stage == "stt" && t->heard && t->heard->busy())
    t->heard = std::make_shared<stt::recognition>();
  job_failed f{id, stage, "deadline passed"};
  on_job_failed(self, f);
}

void on_job_failed(session_actor* self, job_failed& f) {
  turn* t = find_turn(self, f.turn);
  if (t == nullptr) return;
  // A job that cannot work however often it runs (no engine loaded) fails
  // the turn at once: the user hears an apology now, not after three tries.
  if (!f.retry || ++t->failures >= self->state.cfg.max_attempts)
    return fail_turn(self, *t, f.stage, f.reason);
  // Run the stage again on what the session kept.
  if (f.stage == "stt") {
    start_stt(self, *t);
    feed_stt(self, *t, self->state.children->handle(t->stt));
  } else if (f.stage == "agent") {
    start_agent(self, *t);
  } else {
    stop_job(self, t->tts);
    speak(self, *t, t->sentences_voiced);
  }
}

// Restarts are bounded per turn, so a job that dies every time ends in an
// apology, not a loop. The deadline is per attempt: a replacement gets the
// whole of it.
bool on_job_restarted(session_actor* self, runtime::actor_id id, const caf::actor& h) {
  for (auto& [tid, t] : self->state.mem->turns) {
    const char* stage = id == t.stt     ? "stt"
                        : id == t.tts   ? "tts"
                        : id == t.agent ? "agent"
                                        : nullptr;
    if (stage == nullptr) continue;
    if (++t.restarts > self->state.cfg.max_restarts)
      fail_turn(self, t, stage, std::string(stage) + " job kept dying");
    else if (id == t.stt)
      feed_stt(self, t, h);  // its watchdog starts once it has a recogniser
    else if (id == t.tts) {
      feed_tts(self, t, h);
      arm_watchdog(self, t, "tts");
    } else
      arm_watchdog(self, t, "agent");
    return true;
  }
  return false;
}

// Waiting for a free recogniser is queueing, not hanging: an stt job's
// deadline runs from when it has one (and the utterance has ended).
void on_job_ready(session_actor* self, runtime::actor_id id) {
  for (auto& [tid, t] : self->state.mem->turns)
    if (id == t.stt && !t.speaking()) return arm_watchdog(self, t, "stt");
}

// Each stage runs again from what was kept. Utterances still being spoken
// are dropped; the transport replays their frames.
void resume_turns(session_actor* self) {
  auto& st = self->state;
  std::vector<turn_id> cut;
  for (auto& [id, t] : st.mem->turns) {
    log::debug("session", "resuming turn",
               {{"guild", st.guild},
                {"turn", std::to_string(id)},
                {"phase", to_string(t.phase)},
                {"voiced", std::to_string(t.sentences_voiced)},
                {"sentences", std::to_string(t.sentences.size())},
                {"queued", std::to_string(st.mem->playout.size())}});
    t.stt = t.agent = t.tts = 0;
    t.speech_end_at = clock::now();
    if (t.speaking()) {
      cut.push_back(id);
      continue;
    }
    if (t.phase == turn_phase::transcribing) {
      start_stt(self, t);
      feed_stt(self, t, st.children->handle(t.stt));
    } else if (t.phase == turn_phase::answering) {
      start_agent(self, t);
    }
    if (!t.sentences.empty() && t.phase != turn_phase::playing) speak(self, t, t.sentences_voiced);
    // The wait starts again for the user, and so does the reflex's delay.
    if (!t.audio_started() && t.phase != turn_phase::playing) arm_reflex(self, t);
  }
  for (auto id : cut) drop_turn(self, id);
  start_playout(self);
}

}  // namespace parley::session
