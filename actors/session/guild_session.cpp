#include "actors/session/guild_session.hpp"

#include <caf/all.hpp>
#include <deque>
#include <map>
#include <optional>

#include "actors/agent/agent_job.hpp"
#include "actors/audio/audio_stream.hpp"
#include "actors/session/turn.hpp"
#include "actors/session/voice_metrics.hpp"
#include "actors/stt/stt_job.hpp"
#include "actors/tts/tts_job.hpp"
#include "messages/supervision.hpp"
#include "runtime/child_set.hpp"
#include "runtime/log.hpp"

namespace parley::session {
namespace {

using namespace parley::messages;
using clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds frame_period{20};
const char* const apology = "Sorry, I could not answer that. Please try again.";

struct session_state {
  std::string guild;
  session_settings cfg;
  std::shared_ptr<session_memory> mem;  // outlives this incarnation
  std::optional<runtime::child_set> children;
  std::optional<room> members;  // over mem->room
  bool ticking = false;
  clock::time_point next_tick;
  static inline const char* name = "guild_session";
};

using session_actor = caf::stateful_actor<session_state>;

void broadcast(session_actor* self, const session_event& e) {
  for (auto& [user, m] : self->state.members->present()) self->send(m.client, e);
  if (e.type != event_type::error) self->state.members->log(e);
}

turn* find_turn(session_actor* self, turn_id id) {
  auto it = self->state.mem->turns.find(id);
  return it == self->state.mem->turns.end() ? nullptr : &it->second;
}

void stop_job(session_actor* self, runtime::actor_id& job) {
  if (job != 0) self->state.children->stop(job);
  job = 0;
}

// The transport may forget every frame up to `seq` except those of an
// utterance still being spoken: an ended one's audio is in the session's
// memory, which outlives restarts. (Holding more would make every restart
// replay all the silence since.)
void ack(session_actor* self, const std::string& user, std::uint64_t seq) {
  auto* m = self->state.members->find(user);
  if (m == nullptr) return;
  for (auto& [id, t] : self->state.mem->turns)
    if (t.user == user && t.first_seq > 0 && !t.speech_done) seq = std::min(seq, t.first_seq - 1);
  if (seq > 0) self->send(m->client, frames_done{seq});
}

// Every turn leaves the session's memory through here, so the count of
// open turns stays true.
void drop_turn(session_actor* self, turn_id id) {
  if (self->state.mem->turns.erase(id) > 0) self->state.cfg.stats->open.closed();
}

void finish_turn(session_actor* self, turn& t) {
  auto& st = self->state;
  stop_job(self, t.stt);
  stop_job(self, t.agent);
  stop_job(self, t.tts);
  if (!t.cancelled && !t.transcript.empty() && t.reply_complete) {
    std::string reply;
    for (auto& s : t.sentences) reply += (reply.empty() ? "" : " ") + s;
    st.mem->history.push_back({"user", t.transcript});
    st.mem->history.push_back({"assistant", reply});
    while (st.mem->history.size() > 2 * st.cfg.history_turns) st.mem->history.pop_front();
    st.cfg.stats->turns.Increment();
  }
  const auto user = t.user;
  const auto last = t.last_seq;
  if (auto* m = st.members->find(user); m != nullptr && m->open == t.id) m->open.reset();
  drop_turn(self, t.id);
  if (last > 0) ack(self, user, last);
}

void tick(session_actor* self);

void arm_watchdog(session_actor* self, turn& t, const std::string& stage,
                  std::chrono::milliseconds deadline) {
  self->delayed_send(self, deadline, watchdog_atom::value, t.id, stage, ++t.watch[stage]);
}

// The reply has been synthesised and every frame of it has gone out.
void maybe_end_audio(session_actor* self, turn& t) {
  if (!t.audio_complete) return;
  for (auto& p : self->state.mem->playout)
    if (p.first == t.id) return;
  if (t.audio_started) broadcast(self, events::audio_ended(t.id, t.frames_sent));
  finish_turn(self, t);
}

// Reply audio waits while a member of the room has not rejoined a restarted
// session: they would miss it.
void start_playout(session_actor* self) {
  auto& st = self->state;
  if (st.ticking || st.mem->playout.empty() || st.members->waiting_for_rejoin()) return;
  st.ticking = true;
  st.next_tick = clock::now();
  tick(self);
}

// One frame every 20 ms on an absolute schedule, so timer lateness does not
// accumulate into drift.
void tick(session_actor* self) {
  auto& st = self->state;
  if (st.mem->playout.empty()) {  // (`away` only shrinks while ticking)
    st.ticking = false;
    return;
  }
  auto [id, frame] = std::move(st.mem->playout.front());
  st.mem->playout.pop_front();
  if (turn* t = find_turn(self, id); t != nullptr && !t->cancelled) {
    if (!t->audio_started) {
      t->audio_started = true;
      broadcast(self, events::audio_started(id));
      if (!t->transcript.empty() && t->last_voice_at != clock::time_point{})
        st.cfg.stats->turn_latency.Observe(
            std::chrono::duration<double>(clock::now() - t->last_voice_at).count());
    }
    for (auto& [user, m] : st.members->present()) self->send(m.client, reply_audio{frame});
    st.members->log(std::move(frame));
    ++t->frames_sent;
    st.cfg.stats->frames_out.Increment();
    maybe_end_audio(self, *t);
  }
  st.next_tick += frame_period;
  const auto now = clock::now();
  const auto wait = st.next_tick > now ? st.next_tick - now : clock::duration::zero();
  self->delayed_send(self, std::chrono::duration_cast<std::chrono::microseconds>(wait),
                     tick_atom::value);
}

void cancel_replies(session_actor* self, const std::string& reason) {
  auto& st = self->state;
  for (auto& [id, t] : st.mem->turns) {
    if (t.cancelled || t.sentences.empty() || !t.audio_started) continue;
    t.cancelled = true;
    st.cfg.stats->barge_ins.Increment();
    broadcast(self, events::interrupted(id, reason));
    stop_job(self, t.tts);
    stop_job(self, t.agent);
  }
  st.mem->playout.erase(std::remove_if(st.mem->playout.begin(), st.mem->playout.end(),
                                       [&](auto& p) {
                                         auto* t = find_turn(self, p.first);
                                         return t == nullptr || t->cancelled;
                                       }),
                        st.mem->playout.end());
  std::vector<turn_id> done;
  for (auto& [id, t] : st.mem->turns)
    if (t.cancelled) done.push_back(id);
  for (auto id : done) finish_turn(self, st.mem->turns.at(id));
}

void speak(session_actor* self, turn& t, std::uint32_t from) {
  auto& st = self->state;
  if (t.tts == 0) {
    t.tts = st.children->add(tts::tts_job_spec(t.id, st.cfg.catalog), false);
    arm_watchdog(self, t, "tts", st.cfg.tts_deadline);
  }
  auto h = st.children->handle(t.tts);
  if (!h) return;
  for (auto i = from; i < t.sentences.size(); ++i) {
    const bool final = t.reply_complete && i + 1 == t.sentences.size();
    self->send(h, reply_sentence{t.id, i, t.sentences[i], final});
  }
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
  stop_job(self, t.stt);
  stop_job(self, t.agent);
  if (stage == "tts") {
    finish_turn(self, t);
    return;
  }
  // Never silence: the user hears that it failed.
  t.sentences = {apology};
  t.reply_complete = true;
  t.transcript.clear();  // keeps the apology out of the conversation memory
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
  arm_watchdog(self, t, "agent", st.cfg.agent_deadline);
}

turn& open_turn(session_actor* self, const std::string& user) {
  auto& st = self->state;
  const auto id = st.mem->next_turn++;
  auto& t = st.mem->turns[id];
  st.cfg.stats->open.opened();
  t.id = id;
  t.user = user;
  return t;
}

// The turn's stt_job. A replacement (after a kill, a failure, or in a
// restarted session) goes on with the recognition the turn holds.
void start_stt(session_actor* self, turn& t) {
  auto& st = self->state;
  if (!t.heard) t.heard = std::make_shared<stt::recognition>();
  t.stt = st.children->add(stt::stt_job_spec(t.id, t.user, st.cfg.catalog, t.heard), false);
}

void on_speech_start(session_actor* self, speech_start& s) {
  auto& st = self->state;
  auto& t = open_turn(self, s.user);
  const auto id = t.id;
  t.first_seq = s.first_seq;
  if (auto* m = st.members->find(s.user)) m->open = id;
  start_stt(self, t);
  broadcast(self, events::speech_started(s.user, id));
  cancel_replies(self, "barge_in");
}

turn* open_of(session_actor* self, const std::string& user) {
  auto* m = self->state.members->find(user);
  if (m == nullptr || !m->open) return nullptr;
  return find_turn(self, *m->open);
}

void on_speech_audio(session_actor* self, speech_audio& a) {
  turn* t = open_of(self, a.user);
  if (t == nullptr) return;
  t->audio.insert(t->audio.end(), a.samples.begin(), a.samples.end());
  if (auto h = self->state.children->handle(t->stt)) self->send(h, std::move(a));
}

void on_speech_end(session_actor* self, speech_end& e) {
  turn* t = open_of(self, e.user);
  if (t == nullptr) return;
  t->speech_done = true;
  t->last_seq = e.last_seq;
  ack(self, e.user, e.last_seq);  // the utterance's frames are held here now
  t->speech_end_at = clock::now();
  t->last_voice_at = t->speech_end_at - self->state.cfg.vad.silence_window;
  if (auto* m = self->state.members->find(e.user)) m->open.reset();
  broadcast(self, events::speech_ended(e.user, t->id));
  if (t->heard) t->heard->speech_ended();
  if (auto h = self->state.children->handle(t->stt)) self->send(h, finish_atom::value);
  arm_watchdog(self, *t, "stt", self->state.cfg.stt_deadline);
}

void on_transcript(session_actor* self, transcript& tr) {
  turn* t = find_turn(self, tr.turn);
  if (t == nullptr || t->transcript_final) return;
  broadcast(self, events::transcript(t->user, t->id, tr.text, tr.final));
  if (!tr.final) return;
  t->transcript_final = true;
  t->transcript = tr.text;
  t->audio.clear();
  t->audio.shrink_to_fit();
  t->heard.reset();
  stop_job(self, t->stt);  // it ends by itself; stopped, it is not restarted
  self->state.cfg.stats->stt_seconds.Observe(
      std::chrono::duration<double>(clock::now() - t->speech_end_at).count());
  if (tr.text.empty()) {
    finish_turn(self, *t);  // nothing was understood: nothing to answer
    return;
  }
  start_agent(self, *t);
}

void on_sentence(session_actor* self, reply_sentence& r) {
  turn* t = find_turn(self, r.turn);
  if (t == nullptr || t->cancelled || r.index < t->sentences.size()) return;  // a re-run's repeat
  if (t->sentences.empty())
    self->state.cfg.stats->agent_seconds.Observe(
        std::chrono::duration<double>(clock::now() - t->transcript_at).count());
  if (r.final) {
    t->reply_complete = true;
    stop_job(self, t->agent);
  }
  if (!r.text.empty() || !r.final) t->sentences.push_back(r.text);
  broadcast(self, events::reply(t->id, r.text, r.final));
  if (t->sentences.empty()) {  // the agent had nothing to say
    finish_turn(self, *t);
    return;
  }
  if (t->tts == 0) {
    speak(self, *t, 0);
  } else if (auto h = self->state.children->handle(t->tts)) {
    if (r.text.empty()) {  // an empty final only closes the reply
      const auto last = static_cast<std::uint32_t>(t->sentences.size() - 1);
      self->send(h, reply_sentence{t->id, last + 1, "", true});
    } else {
      self->send(h, reply_sentence{t->id, r.index, r.text, r.final});
    }
  }
}

// Queues the frames of a piece that are new: a replacement tts_job says the
// interrupted sentence again from its start, and what was queued of it
// already is skipped.
void queue_piece(session_actor* self, turn& t, sentence_audio& a) {
  const auto skip = std::min<std::size_t>(t.partly_voiced - a.first_frame, a.frames.size());
  for (auto i = skip; i < a.frames.size(); ++i)
    self->state.mem->playout.emplace_back(t.id, std::move(a.frames[i]));
  t.partly_voiced = std::max<std::uint32_t>(
      t.partly_voiced, a.first_frame + static_cast<std::uint32_t>(a.frames.size()));
  t.partly_synth_seconds += a.synth_seconds;
}

void on_sentence_audio(session_actor* self, sentence_audio& a) {
  turn* t = find_turn(self, a.turn);
  // Pieces come in order from one job; a gap (first_frame past what is
  // queued) cannot be filled later, so it is not accepted either.
  if (t == nullptr || t->cancelled || a.index != t->sentences_voiced ||
      a.first_frame > t->partly_voiced)
    return;
  queue_piece(self, *t, a);
  log::debug("session", "sentence audio",
             {{"guild", self->state.guild},
              {"turn", std::to_string(a.turn)},
              {"index", std::to_string(a.index)},
              {"first_frame", std::to_string(a.first_frame)},
              {"frames", std::to_string(a.frames.size())},
              {"done", a.sentence_done ? "yes" : "no"},
              {"final", a.final ? "yes" : "no"},
              {"queued", std::to_string(self->state.mem->playout.size())}});
  if (a.sentence_done) {
    if (t->partly_voiced > 0) self->state.cfg.stats->tts_seconds.Observe(t->partly_synth_seconds);
    t->sentences_voiced = a.index + 1;
    t->partly_voiced = 0;
    t->partly_synth_seconds = 0;
  }
  if (a.sentence_done && a.final) {
    t->audio_complete = true;
    stop_job(self, t->tts);
  } else {
    arm_watchdog(self, *t, "tts", self->state.cfg.tts_deadline);
  }
  const auto id = t->id;
  start_playout(self);  // may finish the turn
  if (turn* again = find_turn(self, id); again != nullptr) maybe_end_audio(self, *again);
}

void on_job_failed(session_actor* self, job_failed& f);

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

// A replacement job is sent the whole utterance kept so far; it skips what
// the turn's recognition heard already.
void feed_stt(session_actor* self, const turn& t, const caf::actor& h) {
  if (!h) return;
  if (t.speech_done && t.heard) t.heard->speech_ended();
  self->send(h, speech_audio{t.user, t.audio});
  if (t.speech_done) self->send(h, finish_atom::value);
}

void on_job_failed(session_actor* self, job_failed& f) {
  turn* t = find_turn(self, f.turn);
  if (t == nullptr) return;
  if (++t->failures >= self->state.cfg.max_attempts) {
    fail_turn(self, *t, f.stage, f.reason);
    return;
  }
  // Run the stage again on what the session kept.
  if (f.stage == "stt") {
    start_stt(self, *t);
    feed_stt(self, *t, self->state.children->handle(t->stt));
  } else if (f.stage == "agent")
    start_agent(self, *t);
  else {
    stop_job(self, t->tts);
    speak(self, *t, t->sentences_voiced);
  }
}

// A user's audio_stream was restarted: the utterance it was hearing is
// dropped (the transport replays its frames), while utterances that ended
// are held here and must not be heard twice.
// Drops the user's utterance still being spoken, whose frames are gone
// with its stream or connection (the transport replays them, or the person
// says it again). Returns the last frame held by the utterances that ended.
std::uint64_t drop_cut_utterance(session_actor* self, const std::string& user) {
  std::uint64_t held = 0;
  std::vector<turn_id> open;
  for (auto& [id, t] : self->state.mem->turns) {
    if (t.user != user) continue;
    if (t.speech_done || t.first_seq == 0)
      held = std::max(held, t.last_seq);
    else
      open.push_back(id);
  }
  for (auto id : open) {
    stop_job(self, self->state.mem->turns.at(id).stt);
    drop_turn(self, id);
  }
  return held;
}

void restream(session_actor* self, const std::string& user, member& m, const caf::actor& h) {
  const auto held = drop_cut_utterance(self, user);
  m.open.reset();
  if (held > 0) self->send(h, skip_atom::value, held);
  self->send(m.client, stream_atom::value, h);
}

void feed_tts(session_actor* self, const turn& t, const caf::actor& h) {
  for (auto i = t.sentences_voiced; i < t.sentences.size(); ++i)
    self->send(h, reply_sentence{t.id, i, t.sentences[i],
                                 t.reply_complete && i + 1 == t.sentences.size()});
}

// A job was restarted: hand it what the turn holds so it carries on. (A
// first start is fed by whoever added the job.) Restarts are bounded per
// turn, so a job that dies every time ends in an apology, not a loop.
void on_job_started(session_actor* self, runtime::actor_id id, const caf::actor& h, bool restart) {
  if (!restart) return;
  for (auto& [tid, t] : self->state.mem->turns) {
    const char* stage = id == t.stt     ? "stt"
                        : id == t.tts   ? "tts"
                        : id == t.agent ? "agent"
                                        : nullptr;
    if (stage == nullptr) continue;
    if (++t.restarts > self->state.cfg.max_restarts)
      return fail_turn(self, t, stage, std::string(stage) + " job kept dying");
    // The deadline is per attempt: a replacement gets the whole of it.
    auto& cfg = self->state.cfg;
    if (id == t.stt) {
      feed_stt(self, t, h);  // its watchdog starts once it has a recogniser
    } else if (id == t.tts) {
      feed_tts(self, t, h);
      arm_watchdog(self, t, "tts", cfg.tts_deadline);
    } else {
      arm_watchdog(self, t, "agent", cfg.agent_deadline);
    }
    return;
  }
  for (auto& [user, m] : self->state.members->present())
    if (m.stream == id) return restream(self, user, m, h);
}

// Waiting for a free recogniser is queueing, not hanging: an stt job's
// deadline runs from when it has one (and the utterance has ended).
void on_job_ready(session_actor* self, runtime::actor_id id) {
  for (auto& [tid, t] : self->state.mem->turns)
    if (id == t.stt && t.speech_done)
      return arm_watchdog(self, t, "stt", self->state.cfg.stt_deadline);
}

// A new incarnation picks up the turns its predecessor left: each stage
// runs again from what was kept. Utterances still being spoken are dropped;
// the transport replays their frames.
void resume(session_actor* self) {
  auto& st = self->state;
  std::vector<turn_id> open;
  for (auto& [id, t] : st.mem->turns) {
    log::debug("session", "resuming turn",
               {{"guild", st.guild},
                {"turn", std::to_string(id)},
                {"voiced", std::to_string(t.sentences_voiced)},
                {"sentences", std::to_string(t.sentences.size())},
                {"audio_complete", t.audio_complete ? "yes" : "no"},
                {"queued", std::to_string(st.mem->playout.size())}});
    t.stt = t.agent = t.tts = 0;
    t.speech_end_at = clock::now();
    if (t.first_seq > 0 && !t.speech_done) {
      open.push_back(id);
    } else if (!t.transcript_final) {
      start_stt(self, t);
      feed_stt(self, t, st.children->handle(t.stt));
    } else if (!t.reply_complete) {
      start_agent(self, t);
    }
    if (!t.sentences.empty() && !t.audio_complete) speak(self, t, t.sentences_voiced);
  }
  for (auto id : open) drop_turn(self, id);
  start_playout(self);
}

// The room is empty, and nobody is expected back: the session ends.
void quit_if_empty(session_actor* self) {
  if (self->state.members->empty()) self->quit();
}

// The member's connection ended: the room holds what they miss for the
// rejoin grace, for a client that comes back with its resume token.
void leave(session_actor* self, const std::string& user) {
  auto& st = self->state;
  auto gone = st.members->drop(user);
  if (!gone) return;
  st.children->stop(gone->first.stream);
  drop_cut_utterance(self, user);
  self->delayed_send(self, st.cfg.rejoin_grace, dropped_atom::value, user, gone->second);
}

// Members who did not rejoin a restarted session in time have left; the
// rest of the room goes on.
void give_up_on_away(session_actor* self) {
  self->state.members->give_up_on_away();
  start_playout(self);
  quit_if_empty(self);
}

void deliver(session_actor* self, const caf::actor& client, const missed& m) {
  if (const auto* e = std::get_if<session_event>(m.get()))
    self->send(client, *e);
  else
    self->send(client, reply_audio{std::get<bytes>(*m)});
}

std::string join(session_actor* self, const std::string& user, const caf::actor& client,
                 const std::string& resume, std::uint64_t received) {
  auto& st = self->state;
  auto r = st.members->join(user, client, resume, received);
  if (r.previous) {
    if (r.replaced)
      self->send(r.previous->client,
                 events::error(error_code::replaced, "another connection joined as this user"));
    st.children->stop(r.previous->stream);
  }
  self->monitor(client);
  for (const auto& m : r.owed) deliver(self, client, m);
  auto* m = st.members->find(user);
  m->stream =
      st.children->add(audio::audio_stream_spec(st.guild, user, st.cfg.vad, st.cfg.stats), false);
  restream(self, user, *m, st.children->handle(m->stream));
  start_playout(self);
  return r.token;
}

caf::behavior guild_session(session_actor* self, std::string guild, session_settings cfg,
                            std::shared_ptr<session_memory> mem, runtime::child_context ctx) {
  auto& st = self->state;
  st.guild = guild;
  st.cfg = std::move(cfg);
  st.mem = std::move(mem);
  st.members.emplace(st.mem->room);
  runtime::supervisor_spec spec;
  spec.name = "guild_session:" + guild;
  spec.intensity = st.cfg.intensity;
  runtime::child_set::hooks hooks;
  hooks.on_started = [self](runtime::actor_id id, const caf::actor& h, bool restart) {
    on_job_started(self, id, h, restart);
  };
  hooks.on_give_up = [self](const std::string&) { self->quit(runtime::escalated_error()); };
  hooks.on_ready = [self](runtime::actor_id id) { on_job_ready(self, id); };
  st.children.emplace(self, ctx.svc, ctx.id, std::move(spec), std::move(hooks));
  st.cfg.stats->sessions.Increment();
  self->attach_functor([stats = st.cfg.stats](const caf::error&) { stats->sessions.Decrement(); });
  self->set_down_handler([self](caf::down_msg& dm) {
    if (self->state.children->handle_down(dm)) return;
    if (auto user = self->state.members->user_of(dm.source)) leave(self, *user);
  });
  // Members rejoin a restarted session by themselves; one nobody rejoins ends.
  if (st.members->expect_everyone_back())
    self->delayed_send(self, st.cfg.rejoin_grace, away_atom::value);
  for (const auto& [user, token] : st.members->dropped())
    self->delayed_send(self, st.cfg.rejoin_grace, dropped_atom::value, user, token);
  resume(self);
  self->delayed_send(self, st.cfg.empty_timeout, empty_atom::value);
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
  return caf::message_handler{
      [self](empty_atom) {
        if (self->state.members->present().empty()) self->quit();
      },
      [self](join_atom, const std::string& user, caf::actor& client, const std::string& resume,
             std::uint64_t received) { return join(self, user, client, resume, received); },
      [self](dropped_atom, const std::string& user, const std::string& token) {
        if (self->state.members->expire(user, token)) quit_if_empty(self);
      },
      [self](away_atom) { give_up_on_away(self); },
      [self](leave_atom, const std::string& user) { leave(self, user); },
      [self](text_turn_atom, const std::string& user, const std::string& text) {
        cancel_replies(self, "barge_in");
        auto& t = open_turn(self, user);
        t.transcript = text;
        t.transcript_final = true;
        t.last_voice_at = clock::now();
        broadcast(self, events::transcript(user, t.id, text, true));
        start_agent(self, t);
      },
      [self](barge_in& b) {
        if (self->state.members->find(b.user) != nullptr) cancel_replies(self, "barge_in");
      },
      [self](speech_start& s) { on_speech_start(self, s); },
      [self](speech_audio& a) { on_speech_audio(self, a); },
      [self](speech_end& e) { on_speech_end(self, e); },
      [self](const std::string& user, frames_done& d) { ack(self, user, d.seq); },
      [self](bad_audio& b) {
        auto* m = self->state.members->find(b.user);
        if (m == nullptr) return;
        self->state.cfg.stats->errors.Add({{"phase", "audio"}}).Increment();
        self->send(m->client, events::error(error_code::bad_audio,
                                            "an Opus packet did not decode: " + b.reason));
      },
      [self](transcript& t) { on_transcript(self, t); },
      [self](reply_sentence& r) { on_sentence(self, r); },
      [self](sentence_audio& a) { on_sentence_audio(self, a); },
      [self](job_failed& f) { on_job_failed(self, f); },
      [self](tick_atom) { tick(self); },
      [self](watchdog_atom, turn_id id, const std::string& stage, std::uint32_t gen) {
        on_watchdog(self, id, stage, gen);
      },
  }
      .or_else(st.children->handlers());
}

runtime::child_spec guild_session_spec(const std::string& guild, session_settings settings) {
  runtime::child_spec c;
  c.kind = "guild_session";
  c.tags = {{"guild", guild}};
  c.restart = runtime::restart_type::transient;
  c.start = [guild, settings, mem = std::make_shared<session_memory>(&settings.stats->open)](
                caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn(guild_session, guild, settings, mem, ctx);
  };
  return c;
}

}  // namespace

std::shared_ptr<runtime::on_demand_children> guild_sessions(session_settings settings) {
  return std::make_shared<runtime::on_demand_children>(
      "guild",
      [settings](const std::string& guild) { return guild_session_spec(guild, settings); });
}

}  // namespace parley::session
