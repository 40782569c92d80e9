#include "actors/transport/discord/voice_connection.hpp"

#include "actors/transport/discord/socket_events.hpp"
#include "actors/transport/discord/udp_link.hpp"
#include "actors/transport/discord/voice_connection_state.hpp"
#include "actors/transport/discord/voice_messages.hpp"
#include "messages/transport.hpp"

namespace parley::discord {

// A log line about this connection: its guild and channel first.
void say(connection_actor* self, runtime::log_level level, const std::string& msg,
         std::vector<log::field> extra) {
  const auto& j = self->state.session().join();
  extra.insert(extra.begin(), {{"guild", j.guild_id}, {"channel", j.channel_id}});
  log::write(level, "discord", msg, extra);
}

void send_ws(connection_actor* self, const std::string& text) {
  if (self->state.ws) self->state.ws->send_text(text);
}

namespace {

using clock = std::chrono::steady_clock;
using messages::leave_atom;

void connect(connection_actor* self) {
  auto& st = self->state;
  const auto gen = ++st.gen;
  auto h = forward_to<vws_text_atom, vws_closed_atom, vws_binary_atom>(
      caf::actor_cast<caf::actor_addr>(self), gen);
  st.ws.reset();  // the old socket's thread ends before the new one starts
  st.ws = std::make_unique<net::wss_client>(
      net::wss_options{"wss://" + st.session().join().endpoint + "/?v=8", st.cfg.ca_file},
      std::move(h));
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
      ++st.counters().identifies;
      return start_udp(self);
    case k::session_description:
      connected(self, "identified");
      return dave_event(self, m);
    case k::resumed:
      count(st.counters().resumes, st.metrics().voice_resumes);
      if (st.mem().udp) {
        std::lock_guard<std::mutex> g(st.mem().target->mutex);
        st.mem().target->actor = caf::actor_cast<caf::actor_addr>(self);
      }
      connected(self, "resumed");
      return dave_event(self, m);
    case k::speaking:
      return release_unmapped(self, m.ssrc);
    case k::clients_connect:
    case k::dave_prepare_transition:
    case k::dave_execute_transition:
    case k::dave_prepare_epoch:
      return dave_event(self, m);
    case k::client_disconnect:
      dave_event(self, m);
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
    count(st.counters().decrypt_failures, st.metrics().decrypt_failures);
    return;
  }
  const auto user = st.session().user_of(h.ssrc);
  if (!user) return hold_unmapped(self, h, std::move(*opus));
  accept_frame(self, h, *user, std::move(*opus));
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
  dave_forget(self);  // the new voice server makes a new group
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
  if (st.cfg.metrics == nullptr) {
    st.own_registry = std::make_unique<prometheus::Registry>();
    st.own_metrics = std::make_unique<discord_metrics>(*st.own_registry);
    st.cfg.metrics = st.own_metrics.get();
  }
  st.metrics().voice_connections.Increment();
  if (!st.own_metrics)  // (its own die with its state: nothing to take back)
    self->attach_functor(
        [m = st.cfg.metrics](const caf::error&) { m->voice_connections.Decrement(); });
  st.registry = ctx.svc != nullptr ? &ctx.svc->registry : nullptr;
  st.id = ctx.id;
  start_members(self, ctx);
  connect(self);
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
  return caf::message_handler{
      [self](vws_text_atom, std::uint64_t gen, std::string& text) {
        if (gen != self->state.gen) return;
        std::string why;
        if (auto m = decode_voice(text, &why)) return on_voice_message(self, *m);
        say(self, runtime::log_level::warn, "voice message refused", {{"why", why}});
      },
      [self](vws_binary_atom, std::uint64_t gen, const std::string& data) {
        if (gen == self->state.gen) dave_binary(self, data);
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
