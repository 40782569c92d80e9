#include "actors/transport/discord/voice_member.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <optional>

#include "actors/transport/discord/voice_messages.hpp"
#include "actors/transport/member/session_link.hpp"

namespace parley::discord {

namespace {

using namespace parley::messages;

struct member_state {
  std::optional<transport::session_link> link;
  caf::actor connection;
  std::string user;
  // The person's turns heard to their end, not yet answered.
  std::map<std::uint64_t, std::chrono::steady_clock::time_point> ended;
  static inline const char* name = "discord_member";
};
using member_actor = caf::stateful_actor<member_state>;

// The answer's latency for the person's own turns, for /voice status.
void on_event(member_actor* self, const session_event& e) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  if (e.type == event_type::speech_ended && e.user == st.user) st.ended[e.turn] = now;
  if (e.type != event_type::audio_started) return;
  const auto it = st.ended.find(e.turn);
  if (it == st.ended.end()) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second);
  st.ended.erase(st.ended.begin(), std::next(it));
  self->send(st.connection, member_latency_atom::value, static_cast<std::int64_t>(ms.count()));
}

caf::behavior voice_member(member_actor* self, member_settings cfg, runtime::child_context ctx) {
  auto& st = self->state;
  st.connection = cfg.connection;
  st.user = cfg.user;
  transport::session_link::hooks hooks;
  hooks.on_joined = [self, sup = ctx.supervisor, id = ctx.id](bool first) {
    if (first) runtime::announce_ready(self, sup, id);
  };
  hooks.on_gave_up = [self] { self->quit(caf::exit_reason::user_shutdown); };
  st.link.emplace(cfg.guild, cfg.user, cfg.tree, std::move(hooks));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.link->on_down(self, dm); });
  st.link->start(self);
  return {
      [self](member_frame_atom, bytes& opus) { self->state.link->frame(self, std::move(opus)); },
      [self](stream_atom, caf::actor& s) { self->state.link->on_stream(self, std::move(s)); },
      [self](frames_done& d) { self->state.link->on_done(d); },
      [self](join_atom) { self->state.link->on_join_retry(self); },
      [self](session_event& e) {
        self->state.link->on_event(self, e);
        on_event(self, e);
      },
      [self](reply_audio& a) {
        self->state.link->count_received();
        self->send(self->state.connection, member_reply_atom::value, std::move(a.opus));
      },
      [self](leave_atom) {
        self->state.link->leave(self);
        self->quit();
      },
  };
}

}  // namespace

runtime::child_spec voice_member_spec(member_settings settings) {
  runtime::child_spec c;
  c.kind = "discord_member";
  c.tags = {{"guild", settings.guild}, {"channel", settings.channel}, {"user", settings.user}};
  // A member that dies is started again by its connection with the
  // speaker's next packet; what it held unacknowledged is the core's loss
  // window of a few frames.
  c.restart = runtime::restart_type::transient;
  c.start = [settings](caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn(voice_member, settings, ctx);
  };
  return c;
}

}  // namespace parley::discord
