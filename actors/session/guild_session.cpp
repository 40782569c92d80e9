#include "actors/session/guild_session.hpp"

#include <caf/all.hpp>

#include "actors/audio/audio_stream.hpp"
#include "actors/session/activity.hpp"
#include "actors/session/playback.hpp"
#include "actors/session/reflex.hpp"
#include "actors/session/session_state.hpp"
#include "actors/session/turn_stages.hpp"
#include "actors/session/voice_metrics.hpp"
#include "messages/supervision.hpp"

namespace parley::session {
namespace {

using namespace parley::messages;

// A user's audio_stream was restarted, or a member joined: the stream
// starts after the frames the session holds already, and the utterance it
// was hearing is dropped (the transport replays its frames).
void restream(session_actor* self, const std::string& user, member& m, const caf::actor& h) {
  const auto held = drop_cut_utterance(self, user);
  m.open.reset();
  if (held > 0) self->send(h, skip_atom::value, held);
  self->send(m.client, stream_atom::value, h);
}

void on_job_started(session_actor* self, runtime::actor_id id, const caf::actor& h, bool restart) {
  if (!restart || on_job_restarted(self, id, h)) return;  // a first start is fed by its adder
  for (auto& [user, m] : self->state.members->present())
    if (m.stream == id) return restream(self, user, m, h);
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

void on_bad_audio(session_actor* self, const bad_audio& b) {
  auto* m = self->state.members->find(b.user);
  if (m == nullptr) return;
  self->state.cfg.stats->errors.Add({{"phase", "audio"}}).Increment();
  self->send(m->client,
             events::error(error_code::bad_audio, "an Opus packet did not decode: " + b.reason));
}

void supervise_jobs(session_actor* self, const runtime::child_context& ctx) {
  auto& st = self->state;
  runtime::supervisor_spec spec;
  spec.name = "guild_session:" + st.guild;
  spec.intensity = st.cfg.intensity;
  runtime::child_set::hooks hooks;
  hooks.on_started = [self](runtime::actor_id id, const caf::actor& h, bool restart) {
    on_job_started(self, id, h, restart);
  };
  hooks.on_give_up = [self](const std::string&) { self->quit(runtime::escalated_error()); };
  hooks.on_ready = [self](runtime::actor_id id) { on_job_ready(self, id); };
  st.children.emplace(self, ctx.svc, ctx.id, std::move(spec), std::move(hooks));
  self->set_down_handler([self](caf::down_msg& dm) {
    if (self->state.children->handle_down(dm)) return;
    if (auto user = self->state.members->user_of(dm.source)) leave(self, *user);
  });
}

// Members rejoin a restarted session by themselves; one nobody rejoins ends.
void expect_members_back(session_actor* self) {
  auto& st = self->state;
  if (st.members->expect_everyone_back())
    self->delayed_send(self, st.cfg.rejoin_grace, away_atom::value);
  for (const auto& [user, token] : st.members->dropped())
    self->delayed_send(self, st.cfg.rejoin_grace, dropped_atom::value, user, token);
  self->delayed_send(self, st.cfg.empty_timeout, empty_atom::value);
}

caf::behavior guild_session(session_actor* self, std::string guild, session_settings cfg,
                            std::shared_ptr<session_memory> mem, runtime::child_context ctx) {
  auto& st = self->state;
  st.guild = std::move(guild);
  st.cfg = std::move(cfg);
  st.mem = std::move(mem);
  st.members.emplace(st.mem->room);
  st.pacer.emplace();
  supervise_jobs(self, ctx);
  st.registry = &ctx.svc->registry;
  st.id = ctx.id;
  st.cfg.stats->sessions.Increment();
  self->attach_functor([stats = st.cfg.stats](const caf::error&) { stats->sessions.Decrement(); });
  expect_members_back(self);
  resume_turns(self);
  show_activity(self);
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
        on_text_turn(self, user, text);
      },
      [self](barge_in& b) {
        if (self->state.members->find(b.user) != nullptr) cancel_replies(self, "barge_in");
      },
      [self](speech_start& s) { on_speech_start(self, s); },
      [self](speech_audio& a) { on_speech_audio(self, a); },
      [self](speech_end& e) { on_speech_end(self, e); },
      [self](const std::string& user, frames_done& d) { ack(self, user, d.seq); },
      [self](bad_audio& b) { on_bad_audio(self, b); },
      [self](transcript& t) { on_transcript(self, t); },
      [self](reply_sentence& r) { on_sentence(self, r); },
      [self](sentence_audio& a) { on_sentence_audio(self, a); },
      [self](job_failed& f) { on_job_failed(self, f); },
      [self](tick_atom) { tick(self); },
      [self](reflex_atom, turn_id id) { on_reflex_due(self, id); },
      [self](activity_atom) { show_activity(self); },
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
