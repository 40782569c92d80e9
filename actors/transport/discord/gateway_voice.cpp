// The guilds' voice, as the gateway's events and the slash commands drive
// it: who is in which channel, the bot's own voice session per guild, its
// discord_voice children, and the answers to /voice join | leave | status.

#include <nlohmann/json.hpp>

#include "actors/transport/discord/gateway_actor.hpp"
#include "actors/transport/discord/voice_messages.hpp"
#include "messages/transport.hpp"
#include "runtime/common/log.hpp"

namespace parley::discord {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string mention(const std::string& channel) {
  return "<#" + channel + ">";
}

// Op 4: the bot joins `channel` in `guild`, or leaves when it is empty.
void voice_state_update(gateway_actor* self, const std::string& guild, const std::string& channel) {
  send_gateway(self, json{{"op", 4},
                          {"d",
                           {{"guild_id", guild},
                            {"channel_id", channel.empty() ? json() : json(channel)},
                            {"self_mute", false},
                            {"self_deaf", false}}}}
                         .dump());
}

void stop_voice(gateway_actor* self, const std::string& guild) {
  auto& st = self->state;
  auto it = st.voice_ids.find(guild);
  if (it == st.voice_ids.end()) return;
  if (auto a = st.voices->handle(it->second))
    self->send(a, messages::leave_atom::value);  // its members leave the room first
  else
    st.voices->stop(it->second);  // between incarnations: it must not come back
  st.voice_ids.erase(it);
}

void start_voice(gateway_actor* self, const std::string& guild) {
  auto& st = self->state;
  auto& v = st.mem->voice[guild];
  if (!v.memory)
    v.memory = std::make_shared<voice_memory>(
        voice_join{guild, v.channel, st.mem->bot_user, v.session_id, v.token, v.endpoint});
  voice_connection_settings s;
  s.memory = v.memory;
  s.ca_file = st.cfg.ca_file;
  s.tree = st.tree;
  s.counters = v.counters;
  s.metrics = st.metrics;
  st.voice_ids[guild] = st.voices->add(voice_connection_spec(s), false);
}

// Both halves known (the bot's voice session, the voice server): connect;
// when the server changed under a running connection (a region or channel
// move), it moves there, keeping its members and their turns.
void maybe_connect(gateway_actor* self, const std::string& guild) {
  auto& st = self->state;
  auto& v = st.mem->voice[guild];
  if (v.channel.empty() || v.session_id.empty() || v.token.empty() || v.endpoint.empty()) return;
  const bool same = v.connected_endpoint == v.endpoint && v.connected_token == v.token &&
                    v.connected_session == v.session_id;
  const auto running = st.voice_ids.find(guild);
  if (running != st.voice_ids.end() && same) return;
  v.connected_endpoint = v.endpoint;
  v.connected_token = v.token;
  v.connected_session = v.session_id;
  if (running == st.voice_ids.end()) return start_voice(self, guild);
  if (auto a = st.voices->handle(running->second)) {
    self->send(a, vmove_atom::value, v.channel, v.session_id, v.token, v.endpoint);
    return;
  }
  // Between two incarnations (restarted from this actor, so nothing runs on
  // the memory now): the next one connects to the new server.
  v.memory->session.move_to(
      voice_join{guild, v.channel, st.mem->bot_user, v.session_id, v.token, v.endpoint});
  v.memory->udp.reset();
}

std::size_t others_in(gateway_actor* self, const std::string& guild, const std::string& channel) {
  std::size_t n = 0;
  for (const auto& [user, ch] : self->state.mem->voice_states[guild])
    n += ch == channel && user != self->state.mem->bot_user ? 1 : 0;
  return n;
}

void leave_guild(gateway_actor* self, const std::string& guild) {
  voice_state_update(self, guild, "");
  stop_voice(self, guild);
  self->state.mem->voice.erase(guild);
}

void on_voice_state(gateway_actor* self, const json& d) {
  auto& st = self->state;
  const auto guild = str(d, "guild_id"), user = str(d, "user_id"), channel = str(d, "channel_id");
  if (guild.empty() || user.empty()) return;
  if (channel.empty())
    st.mem->voice_states[guild].erase(user);
  else
    st.mem->voice_states[guild][user] = channel;
  if (user == st.mem->bot_user) {
    if (channel.empty()) {
      stop_voice(self, guild);
      st.mem->voice.erase(guild);
      return;
    }
    auto& v = st.mem->voice[guild];
    v.channel = channel;
    v.session_id = str(d, "session_id");
    maybe_connect(self, guild);
  }
  const auto it = st.mem->voice.find(guild);
  if (it != st.mem->voice.end() && others_in(self, guild, it->second.channel) == 0)
    schedule_empty_check(self, guild);
}

void on_voice_server(gateway_actor* self, const json& d) {
  const auto guild = str(d, "guild_id");
  auto& v = self->state.mem->voice[guild];
  v.token = str(d, "token");
  v.endpoint = str(d, "endpoint");  // null while Discord picks a server
  maybe_connect(self, guild);
}

void on_guild_create(gateway_actor* self, const json& d) {
  const auto guild = str(d, "id");
  if (guild.empty() || !d.contains("voice_states") || !d["voice_states"].is_array()) return;
  for (const auto& vs : d["voice_states"]) {
    json with_guild = vs;
    with_guild["guild_id"] = guild;
    on_voice_state(self, with_guild);
  }
}

void reply(gateway_actor* self, const interaction& i, const std::string& content,
           bool ephemeral = true) {
  self->state.rest->post([i, body = message_response(content, ephemeral)](rest_client& rest) {
    const auto r = rest.request("POST", callback_path(i), body);
    if (r.status < 200 || r.status >= 300)
      log::warn("discord", "interaction reply failed",
                {{"status", std::to_string(r.status)}, {"why", r.error}});
  });
}

void join(gateway_actor* self, const interaction& i) {
  auto& st = self->state;
  const auto& states = st.mem->voice_states[i.guild_id];
  const auto at = states.find(i.user_id);
  if (at == states.end()) return reply(self, i, "Join a voice channel first, then /voice join.");
  if (i.app_permissions && (*i.app_permissions & needed_permissions) != needed_permissions)
    return reply(self, i,
                 "I need the View Channel, Connect and Speak permissions here. Ask an admin "
                 "to grant them, or to re-invite me with the invite link.");
  const auto mine = st.mem->voice.find(i.guild_id);
  if (mine != st.mem->voice.end() && !mine->second.channel.empty()) {
    if (mine->second.channel == at->second)
      return reply(self, i, "I'm already here in " + mention(at->second) + ".");
    return reply(
        self, i,
        "I'm already talking in " + mention(mine->second.channel) + ". Use /voice leave first.");
  }
  st.mem->voice[i.guild_id].channel = at->second;
  voice_state_update(self, i.guild_id, at->second);
  reply(self, i, "Joining " + mention(at->second) + ". Talk to me!", false);
}

void leave(gateway_actor* self, const interaction& i) {
  auto& st = self->state;
  const auto mine = st.mem->voice.find(i.guild_id);
  if (mine == st.mem->voice.end() || mine->second.channel.empty())
    return reply(self, i, "I'm not in a voice channel here.");
  const auto channel = mine->second.channel;
  leave_guild(self, i.guild_id);
  reply(self, i, "Left " + mention(channel) + ".", false);
}

// Whether the call is end-to-end encrypted, and the code people compare to
// check they all see the same group (Discord shows the same one).
// The code in groups of five, as Discord clients show it.
std::string dave_line(const dave_status& d) {
  if (d.protocol_version == 0 || !d.epoch) return " End-to-end encryption: off.";
  std::string code;
  for (std::size_t i = 0; i < d.privacy_code.size(); i += 5)
    code += (i == 0 ? "" : " ") + d.privacy_code.substr(i, 5);
  return " End-to-end encrypted (DAVE " + std::to_string(d.protocol_version) + ", epoch " +
         std::to_string(*d.epoch) + ", " + std::to_string(d.members) +
         " members); voice privacy code " + code + ".";
}

void status(gateway_actor* self, const interaction& i) {
  auto& st = self->state;
  std::string text;
  const auto latency = st.mem->session.latency();
  const auto gateway = latency ? std::to_string(latency->count()) + " ms" : std::string("n/a");
  const auto mine = st.mem->voice.find(i.guild_id);
  if (mine == st.mem->voice.end() || mine->second.channel.empty()) {
    text = "Not in a voice channel.";
  } else {
    const auto& c = *mine->second.counters;
    const auto n = others_in(self, i.guild_id, mine->second.channel);
    text = "In " + mention(mine->second.channel) + " with " +
           (n == 1 ? std::string("1 person") : std::to_string(n) + " people") +
           ". Voice packets in " + std::to_string(c.packets_in.load()) + ", out " +
           std::to_string(c.packets_out.load()) + ", lost " + std::to_string(c.lost.load()) + ".";
    const auto turns = c.last_turns();
    if (!turns.empty()) {
      text += " Last turns answered in";
      for (std::size_t k = 0; k < turns.size(); ++k)
        text += (k == 0 ? " " : ", ") + std::to_string(turns[k].count());
      text += " ms (from the end of the turn to the answer's first audio).";
    }
    text += dave_line(c.dave());
  }
  text += " Engines: " + st.cfg.engines + ". Gateway latency: " + gateway + ".";
  reply(self, i, text);
}

void on_interaction(gateway_actor* self, const std::string& data) {
  std::string why;
  const auto i = read_interaction(data, &why);
  if (!i) return log::warn("discord", "interaction ignored", {{"why", why}});
  log::info("discord", "command",
            {{"guild", i->guild_id}, {"user", i->user_id}, {"command", "/voice " + i->subcommand}});
  if (i->subcommand == "join") return join(self, *i);
  if (i->subcommand == "leave") return leave(self, *i);
  status(self, *i);
}

}  // namespace

void on_dispatch(gateway_actor* self, const std::string& event, const std::string& data) {
  auto& st = self->state;
  const auto d = json::parse(data, nullptr, false);
  if (!d.is_object()) return;
  if (event == "READY") {
    if (d.contains("user") && d["user"].is_object()) st.mem->bot_user = str(d["user"], "id");
    log::info("discord", "gateway ready", {{"bot", st.mem->bot_user}});
  } else if (event == "RESUMED") {
    ++st.mem->resumes;
    if (st.metrics != nullptr) st.metrics->gateway_resumes.Increment();
    log::info("discord", "gateway resumed");
  } else if (event == "GUILD_CREATE") {
    on_guild_create(self, d);
  } else if (event == "VOICE_STATE_UPDATE") {
    on_voice_state(self, d);
  } else if (event == "VOICE_SERVER_UPDATE") {
    on_voice_server(self, d);
  } else if (event == "INTERACTION_CREATE") {
    on_interaction(self, data);
  }
}

void on_voice_ended(gateway_actor* self, runtime::actor_id id, const std::string& reason) {
  auto& st = self->state;
  for (auto it = st.voice_ids.begin(); it != st.voice_ids.end(); ++it) {
    if (it->second != id) continue;
    // Closed for good by Discord (kicked, DAVE required…): out of the channel.
    log::warn("discord", "voice connection ended", {{"guild", it->first}, {"reason", reason}});
    const auto guild = it->first;
    st.voice_ids.erase(it);
    if (st.mem->voice.count(guild)) leave_guild(self, guild);
    return;
  }
}

void restart_voices(gateway_actor* self) {
  for (const auto& [guild, v] : self->state.mem->voice)
    if (v.memory) start_voice(self, guild);
}

void on_empty_check(gateway_actor* self, const std::string& guild) {
  const auto it = self->state.mem->voice.find(guild);
  if (it == self->state.mem->voice.end() || others_in(self, guild, it->second.channel) > 0) return;
  log::info("discord", "voice channel empty: leaving",
            {{"guild", guild}, {"channel", it->second.channel}});
  leave_guild(self, guild);
}

}  // namespace parley::discord
