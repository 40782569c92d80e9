#include "actors/transport/discord/voice_connection.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <map>
#include <optional>

#include "actors/transport/discord/jitter_buffer.hpp"
#include "actors/transport/discord/media_transform.hpp"
#include "actors/transport/discord/udp_link.hpp"
#include "actors/transport/discord/voice_member.hpp"
#include "actors/transport/discord/voice_messages.hpp"
#include "actors/transport/discord/wss_client.hpp"
#include "messages/transport.hpp"
#include "runtime/common/child_set.hpp"
#include "runtime/common/log.hpp"

namespace parley::discord {

namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using messages::leave_atom;

constexpr auto frame_time = 20ms;
constexpr int trailing_silence_frames = 5;  // what Discord asks after speech

// A speaker sends 50 packets a second; a burst after a network stall is
// allowed, a flood is not: beyond this rate packets are dropped and counted.
constexpr double flood_rate = 75;    // packets per second, sustained
constexpr double flood_burst = 100;  // packets at once

struct speaker {
  jitter_buffer buffer;
  std::string user;
  clock::time_point last_packet;
  int silence_left = 0;  // frames of silence still to give while paused
  double allowance = flood_burst;
  clock::time_point refilled;

  bool within_rate(clock::time_point now) {
    const std::chrono::duration<double> since = now - refilled;
    refilled = now;
    allowance = std::min(flood_burst, allowance + since.count() * flood_rate);
    if (allowance < 1) return false;
    allowance -= 1;
    return true;
  }
};

struct connection_state {
  voice_connection_settings cfg;
  std::unique_ptr<wss_client> ws;
  std::unique_ptr<transport_cipher> cipher;
  std::unique_ptr<media_transform> media = std::make_unique<passthrough_media>();
  std::uint64_t gen = 0;  // of the current WebSocket
  std::map<std::uint32_t, speaker> speakers;
  std::map<std::uint32_t, std::vector<std::pair<rtp_header, bytes>>> unmapped;
  std::optional<runtime::child_set> members;
  std::map<std::string, runtime::actor_id> member_ids;
  caf::actor_addr lead;  // every member gets the reply: the lead's copy is played
  bool speaking = false, ticking = false;
  clock::time_point last_reply;
  int trailing_silence = 0;
  static inline const char* name = "discord_voice";

  voice_memory& mem() { return *cfg.memory; }
  voice_session& session() { return cfg.memory->session; }
};

// Counts into the connection's counters and, when given, the metrics.
using metric_of = prometheus::Counter& (*)(discord_metrics&);
prometheus::Counter& packets_in(discord_metrics& m) {
  return m.packets_in;
}
prometheus::Counter& packets_out(discord_metrics& m) {
  return m.packets_out;
}
prometheus::Counter& packets_lost(discord_metrics& m) {
  return m.packets_lost;
}
prometheus::Counter& decrypt_failures(discord_metrics& m) {
  return m.decrypt_failures;
}
prometheus::Counter& voice_resumes(discord_metrics& m) {
  return m.voice_resumes;
}
prometheus::Counter& packets_flooded(discord_metrics& m) {
  return m.packets_flooded;
}

void count(connection_state& st, std::atomic<std::uint64_t> voice_counters::*field,
           metric_of metric, std::uint64_t n = 1) {
  st.cfg.counters.get()->*field += n;
  if (st.cfg.metrics != nullptr && metric != nullptr)
    metric(*st.cfg.metrics).Increment(static_cast<double>(n));
}
using connection_actor = caf::stateful_actor<connection_state>;

// A log line about this connection: its guild and channel first.
void say(connection_actor* self, runtime::log_level level, const std::string& msg,
         std::vector<log::field> extra = {}) {
  const auto& j = self->state.session().join();
  extra.insert(extra.begin(), {{"guild", j.guild_id}, {"channel", j.channel_id}});
  log::write(level, "discord", msg, extra);
}

void send_ws(connection_actor* self, const std::string& text) {
  if (self->state.ws) self->state.ws->send_text(text);
}

void connect(connection_actor* self) {
  auto& st = self->state;
  const auto gen = ++st.gen;
  const auto addr = caf::actor_cast<caf::actor_addr>(self);
  auto to_self = [addr](auto... xs) {
    if (auto a = caf::actor_cast<caf::actor>(addr)) caf::anon_send(a, xs...);
  };
  wss_handlers h;
  h.on_open = [to_self, gen] { to_self(vws_open_atom::value, gen); };
  h.on_text = [to_self, gen](std::string t) { to_self(vws_text_atom::value, gen, std::move(t)); };
  h.on_close = [to_self, gen](int code, std::string why) {
    to_self(vws_closed_atom::value, gen, code, std::move(why));
  };
  st.ws.reset();  // the old socket's thread ends before the new one starts
  st.ws = std::make_unique<wss_client>(
      wss_options{"wss://" + st.session().join().endpoint + "/?v=8", st.cfg.ca_file}, std::move(h));
}

void ensure_ticking(connection_actor* self) {
  if (self->state.ticking) return;
  self->state.ticking = true;
  self->delayed_send(self, frame_time, vtick_atom::value);
}

caf::actor member_for(connection_actor* self, const std::string& user) {
  auto& st = self->state;
  auto it = st.member_ids.find(user);
  if (it == st.member_ids.end()) {
    const auto& j = st.session().join();
    const auto id = st.members->add(voice_member_spec({j.guild_id, j.channel_id, user, st.cfg.tree,
                                                       caf::actor_cast<caf::actor>(self)}),
                                    false);
    it = st.member_ids.emplace(user, id).first;
  }
  return st.members->handle(it->second);
}

void to_member(connection_actor* self, const std::string& user, bytes opus) {
  if (auto m = member_for(self, user)) self->send(m, member_frame_atom::value, std::move(opus));
}

void release(connection_actor* self, speaker& s, bool all) {
  const auto lost_before = s.buffer.lost();
  auto frames = all ? s.buffer.drain() : s.buffer.pop();
  count(self->state, &voice_counters::lost, packets_lost, s.buffer.lost() - lost_before);
  for (auto& f : frames) to_member(self, s.user, std::move(f.opus));
}

void start_udp(connection_actor* self) {
  auto& st = self->state;
  auto& mem = st.mem();
  {
    std::lock_guard<std::mutex> g(mem.target->mutex);
    mem.target->actor = caf::actor_cast<caf::actor_addr>(self);
  }
  if (!mem.udp) {
    auto target = mem.target;
    mem.udp = std::make_shared<udp_link>(
        st.session().udp_ip(), st.session().udp_port(), [target](bytes datagram) {
          caf::actor_addr to;
          {
            std::lock_guard<std::mutex> g(target->mutex);
            to = target->actor;
          }
          if (auto a = caf::actor_cast<caf::actor>(to))
            caf::anon_send(a, vudp_atom::value, std::move(datagram));
        });
  }
  mem.udp->send(ip_discovery_request(*st.session().ssrc()));
}

void connected(connection_actor* self, const char* how) {
  auto& st = self->state;
  st.cipher = make_cipher(st.session().mode(), st.session().key());
  say(self, runtime::log_level::info, "voice connected",
      {{"mode", st.session().mode()}, {"how", how}});
}

void release_unmapped(connection_actor* self, std::uint32_t ssrc);

void on_voice_message(connection_actor* self, const voice_message& m) {
  auto& st = self->state;
  using k = voice_message::kind;
  const auto now = clock::now();
  if (m.what == k::hello) {
    send_ws(self, st.session().on_hello(m.heartbeat_interval, now));
    self->delayed_send(self, st.session().next_heartbeat() - now, vbeat_atom::value, st.gen);
    return;
  }
  st.session().on_message(m, now);
  switch (m.what) {
    case k::ready:
      count(st, &voice_counters::identifies, nullptr);
      return start_udp(self);
    case k::session_description:
      return connected(self, "identified");
    case k::resumed:
      count(st, &voice_counters::resumes, voice_resumes);
      if (st.mem().udp) {
        std::lock_guard<std::mutex> g(st.mem().target->mutex);
        st.mem().target->actor = caf::actor_cast<caf::actor_addr>(self);
      }
      return connected(self, "resumed");
    case k::speaking:
      return release_unmapped(self, m.ssrc);
    case k::client_disconnect:
      for (const auto& u : m.user_ids) {
        auto it = st.member_ids.find(u);
        if (it == st.member_ids.end()) continue;
        if (auto a = st.members->handle(it->second)) self->send(a, leave_atom::value);
      }
      return;
    default:
      return;
  }
}

// A frame from a known speaker: the media transform, the rate limit, the
// jitter buffer, and on to the person's member.
void accept_frame(connection_actor* self, const rtp_header& h, const std::string& user,
                  bytes opus) {
  auto& st = self->state;
  auto frame = st.media->incoming(user, std::move(opus));
  if (!frame) return count(st, &voice_counters::decrypt_failures, decrypt_failures);
  auto& s = st.speakers[h.ssrc];
  const auto now = clock::now();
  if (!s.within_rate(now)) return count(st, &voice_counters::flooded, packets_flooded);
  count(st, &voice_counters::packets_in, packets_in);
  s.user = user;
  s.last_packet = now;
  s.silence_left = static_cast<int>(st.cfg.silence_fill / frame_time);
  s.buffer.push({h.sequence, h.timestamp, std::move(*frame)});
  release(self, s, false);
  ensure_ticking(self);
}

// Audio can overtake the speaking event that names its SSRC (UDP and the
// WebSocket race): the first second of it waits for the name rather than
// being lost. Beyond that, or from too many unnamed SSRCs, it is dropped.
constexpr std::size_t max_unmapped_frames = 50;
constexpr std::size_t max_unmapped_ssrcs = 8;

void hold_unmapped(connection_actor* self, const rtp_header& h, bytes opus) {
  auto& st = self->state;
  auto it = st.unmapped.find(h.ssrc);
  if (it == st.unmapped.end() && st.unmapped.size() >= max_unmapped_ssrcs)
    return count(st, &voice_counters::unknown_ssrc, nullptr);
  auto& held = st.unmapped[h.ssrc];
  if (held.size() >= max_unmapped_frames) return count(st, &voice_counters::unknown_ssrc, nullptr);
  held.emplace_back(h, std::move(opus));
}

void release_unmapped(connection_actor* self, std::uint32_t ssrc) {
  auto& st = self->state;
  auto it = st.unmapped.find(ssrc);
  const auto user = st.session().user_of(ssrc);
  if (it == st.unmapped.end() || !user) return;
  auto held = std::move(it->second);
  st.unmapped.erase(it);
  for (auto& [h, opus] : held) accept_frame(self, h, *user, std::move(opus));
}

void on_datagram(connection_actor* self, const bytes& d) {
  auto& st = self->state;
  if (st.session().current() == voice_session::phase::discovering) {
    if (auto a = read_ip_discovery(d.data(), d.size())) {
      if (auto select = st.session().select_protocol(*a)) return send_ws(self, *select);
      say(self, runtime::log_level::error,
          "the voice server offers no encryption mode Parley speaks");
      return self->quit();
    }
  }
  if (!st.cipher) return;
  rtp_header h;
  auto opus = open_voice_packet(*st.cipher, d.data(), d.size(), &h);
  if (!opus) {
    count(st, &voice_counters::decrypt_failures, decrypt_failures);
    return;
  }
  const auto user = st.session().user_of(h.ssrc);
  if (!user) return hold_unmapped(self, h, std::move(*opus));
  accept_frame(self, h, *user, std::move(*opus));
}

// One packet into the channel: RTP, the media transform, transport encryption.
void send_packet(connection_actor* self, bytes opus) {
  auto& st = self->state;
  auto& mem = st.mem();
  const auto header = make_rtp_header(mem.rtp_seq++, mem.rtp_timestamp, *st.session().ssrc());
  mem.rtp_timestamp += 960;  // 20 ms at 48 kHz
  if (mem.udp->send(st.cipher->seal(header, st.media->outgoing(std::move(opus)), ++mem.nonce)))
    count(st, &voice_counters::packets_out, packets_out);
}

void send_reply(connection_actor* self, bytes opus) {
  auto& st = self->state;
  if (!st.cipher || !st.mem().udp || !st.session().ssrc()) return;
  if (!st.speaking) {
    send_ws(self, st.session().speaking(true));
    st.speaking = true;
  }
  send_packet(self, std::move(opus));
  st.last_reply = clock::now();
  st.trailing_silence = trailing_silence_frames;
  ensure_ticking(self);
}

// Every 20 ms while someone is speaking or pausing, or the reply is ending:
// a speaker's held frames go out once they paused, then silence while the
// core waits for the end of the turn; after the reply, five silence frames
// and speaking off.
void tick(connection_actor* self) {
  auto& st = self->state;
  const auto now = clock::now();
  bool busy = false;
  for (auto& [ssrc, s] : st.speakers) {
    if (now - s.last_packet < st.cfg.quiet_after) {
      busy = true;
      continue;
    }
    if (s.buffer.held() > 0) release(self, s, true);
    if (s.silence_left > 0) {
      --s.silence_left;
      to_member(self, s.user, opus_silence);
      busy = true;
    }
  }
  if (st.speaking && now - st.last_reply >= st.cfg.quiet_after) {
    if (st.trailing_silence > 0 && st.cipher) {
      --st.trailing_silence;
      send_packet(self, opus_silence);
    } else {
      send_ws(self, st.session().speaking(false));
      st.speaking = false;
    }
  }
  busy |= st.speaking;
  st.ticking = busy;
  if (busy) self->delayed_send(self, frame_time, vtick_atom::value);
}

void on_closed(connection_actor* self, int code, const std::string& why) {
  auto& st = self->state;
  st.cipher.reset();
  const auto meaning = meaning_of_voice_close(code);
  const auto step = st.session().on_close(code);
  std::vector<log::field> fields = {{"code", std::to_string(code)},
                                    {"why", why.empty() ? meaning.why : why},
                                    {"next", to_string(step)},
                                    {"meaning", meaning.why}};
  if (step == voice_step::leave) {
    say(self, runtime::log_level::error, "voice connection closed for good", fields);
    return self->quit();
  }
  say(self, runtime::log_level::warn, "voice connection closed", fields);
  self->delayed_send(self, st.cfg.reconnect_delay, vreconnect_atom::value, st.gen);
}

// A new voice server (or channel): identify there with a fresh socket and
// key; the members stay in the room, so a turn in progress is answered
// once the new connection is up.
void move(connection_actor* self, const std::string& channel, const std::string& session_id,
          const std::string& token, const std::string& endpoint) {
  auto& st = self->state;
  auto j = st.session().join();
  j.channel_id = channel;
  j.session_id = session_id;
  j.token = token;
  j.endpoint = endpoint;
  say(self, runtime::log_level::info, "voice server changed: moving", {{"endpoint", endpoint}});
  st.session().move_to(std::move(j));
  st.cipher.reset();
  st.mem().udp.reset();
  st.speakers.clear();
  st.unmapped.clear();
  connect(self);
}

void leave(connection_actor* self) {
  auto& st = self->state;
  for (const auto& [user, id] : st.member_ids)
    if (auto a = st.members->handle(id)) self->send(a, leave_atom::value);
  if (st.ws) st.ws->close(1000, "leaving");
  self->quit();
}

void start_members(connection_actor* self, const runtime::child_context& ctx) {
  auto& st = self->state;
  runtime::supervisor_spec spec;
  spec.name = "discord_voice";
  runtime::child_set::hooks hooks;
  hooks.on_started = [self](runtime::actor_id, const caf::actor& a, bool) {
    if (!self->state.lead) self->state.lead = a.address();
  };
  hooks.on_ended = [self](runtime::actor_id id, const std::string&) {
    auto& st = self->state;
    for (auto it = st.member_ids.begin(); it != st.member_ids.end(); ++it)
      if (it->second == id) {
        st.member_ids.erase(it);
        break;
      }
    st.lead = nullptr;
    for (const auto& [user, mid] : st.member_ids)
      if (auto a = st.members->handle(mid)) {
        st.lead = a.address();
        break;
      }
  };
  st.members.emplace(self, ctx.svc, ctx.id, std::move(spec), std::move(hooks));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.members->handle_down(dm); });
}

caf::behavior voice_connection(connection_actor* self, voice_connection_settings cfg,
                               runtime::child_context ctx) {
  auto& st = self->state;
  if (!cfg.counters) cfg.counters = std::make_shared<voice_counters>();
  st.cfg = std::move(cfg);
  if (auto* m = st.cfg.metrics) {
    m->voice_connections.Increment();
    self->attach_functor([m](const caf::error&) { m->voice_connections.Decrement(); });
  }
  start_members(self, ctx);
  connect(self);
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
  return caf::message_handler{
      [](vws_open_atom, std::uint64_t) {},
      [self](vws_text_atom, std::uint64_t gen, std::string& text) {
        if (gen != self->state.gen) return;
        std::string why;
        if (auto m = decode_voice(text, &why)) return on_voice_message(self, *m);
        say(self, runtime::log_level::warn, "voice message refused", {{"why", why}});
      },
      [self](vws_closed_atom, std::uint64_t gen, int code, std::string& why) {
        if (gen == self->state.gen) on_closed(self, code, why);
      },
      [self](vreconnect_atom, std::uint64_t gen) {
        if (gen == self->state.gen) connect(self);
      },
      [self](vbeat_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen != st.gen || !st.ws) return;
        const auto now = clock::now();
        if (auto beat = st.session().on_heartbeat_due(now)) {
          send_ws(self, *beat);
          self->delayed_send(self, st.session().next_heartbeat() - now, vbeat_atom::value, gen);
          return;
        }
        say(self, runtime::log_level::warn, "voice heartbeat never acknowledged: reconnecting");
        st.ws->close(4000, "zombie connection");
      },
      [self](vudp_atom, bytes& d) { on_datagram(self, d); },
      [self](vtick_atom) { tick(self); },
      [self](member_reply_atom, bytes& opus) {
        auto& st = self->state;
        const auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
        if (!st.lead) st.lead = from;
        if (from == st.lead) send_reply(self, std::move(opus));
      },
      [self](leave_atom) { leave(self); },
      [self](member_latency_atom, std::int64_t ms) {
        self->state.cfg.counters->turn_answered(std::chrono::milliseconds(ms));
      },
      [self](vmove_atom, const std::string& channel, const std::string& session_id,
             const std::string& token,
             const std::string& endpoint) { move(self, channel, session_id, token, endpoint); },
  }
      .or_else(st.members->handlers());
}

}  // namespace

void voice_counters::turn_answered(std::chrono::milliseconds latency) {
  std::lock_guard<std::mutex> g(mutex_);
  last_turns_.push_back(latency);
  if (last_turns_.size() > 5) last_turns_.pop_front();
}

std::vector<std::chrono::milliseconds> voice_counters::last_turns() const {
  std::lock_guard<std::mutex> g(mutex_);
  return {last_turns_.begin(), last_turns_.end()};
}

runtime::child_spec voice_connection_spec(voice_connection_settings settings) {
  runtime::child_spec c;
  c.kind = "discord_voice";
  const auto& j = settings.memory->session.join();
  c.tags = {{"guild", j.guild_id}, {"channel", j.channel_id}};
  // Killed: started again, and it resumes. Closed for good (kicked, the
  // channel gone, DAVE required): it ends and stays ended.
  c.restart = runtime::restart_type::transient;
  c.start = [settings](caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn(voice_connection, settings, ctx);
  };
  return c;
}

}  // namespace parley::discord
