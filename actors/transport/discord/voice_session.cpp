#include "actors/transport/discord/voice_session.hpp"

#include <nlohmann/json.hpp>

namespace parley::discord {

using nlohmann::json;

const char* to_string(voice_step s) {
  switch (s) {
    case voice_step::resume:
      return "resume";
    case voice_step::rejoin:
      return "rejoin";
    case voice_step::leave:
      return "leave";
  }
  return "unknown";
}

voice_close_meaning meaning_of_voice_close(int code) {
  switch (code) {
    case 4004:
      return {voice_step::leave, "voice authentication failed"};
    case 4006:
      return {voice_step::rejoin, "voice session no longer valid"};
    case 4009:
      return {voice_step::rejoin, "voice session timed out"};
    case 4011:
      return {voice_step::rejoin, "voice server not found"};
    case 4014:
      return {voice_step::leave, "disconnected from the channel (kicked, moved or deleted)"};
    case 4016:
      return {voice_step::leave, "unknown encryption mode"};
    case 4017:
      return {voice_step::leave,
              "Discord requires a DAVE (end-to-end encryption) version Parley "
              "does not speak"};
    case 4021:
      return {voice_step::leave, "disconnected: rate limited"};
    case 4022:
      return {voice_step::leave, "call terminated"};
    default:
      return {voice_step::resume, "voice connection closed (" + std::to_string(code) + ")"};
  }
}

namespace {

using k = voice_message::kind;

k kind_of(int op) {
  switch (op) {
    case 2:
      return k::ready;
    case 4:
      return k::session_description;
    case 5:
      return k::speaking;
    case 6:
      return k::heartbeat_ack;
    case 8:
      return k::hello;
    case 9:
      return k::resumed;
    case 11:
      return k::clients_connect;
    case 13:
      return k::client_disconnect;
    case 21:
      return k::dave_prepare_transition;
    case 22:
      return k::dave_execute_transition;
    case 24:
      return k::dave_prepare_epoch;
    default:
      return k::unknown;
  }
}

bool fail(std::string* error, const char* why) {
  if (error != nullptr) *error = why;
  return false;
}

bool is_uint(const json& d, const char* key, std::uint64_t max) {
  return d.contains(key) && d[key].is_number_unsigned() && d[key].get<std::uint64_t>() <= max;
}

bool is_str(const json& d, const char* key) {
  return d.contains(key) && d[key].is_string();
}

bool read_ready(const json& d, voice_message& m, std::string* error) {
  if (!is_uint(d, "ssrc", 0xFFFFFFFFU) || !is_str(d, "ip") || !is_uint(d, "port", 0xFFFF) ||
      !d.contains("modes") || !d["modes"].is_array())
    return fail(error, "ready without ssrc, ip, port and modes");
  m.ssrc = d["ssrc"].get<std::uint32_t>();
  m.ip = d["ip"].get<std::string>();
  m.port = d["port"].get<std::uint16_t>();
  for (const auto& mode : d["modes"])
    if (mode.is_string()) m.modes.push_back(mode.get<std::string>());
  return true;
}

bool read_description(const json& d, voice_message& m, std::string* error) {
  if (!is_str(d, "mode") || !d.contains("secret_key") || !d["secret_key"].is_array() ||
      d["secret_key"].size() != m.key.size())
    return fail(error, "session description without mode and a 32-byte secret_key");
  for (std::size_t i = 0; i < m.key.size(); ++i) {
    const auto& b = d["secret_key"][i];
    if (!b.is_number_unsigned() || b.get<std::uint64_t>() > 255)
      return fail(error, "secret_key holds something other than bytes");
    m.key[i] = b.get<std::uint8_t>();
  }
  m.mode = d["mode"].get<std::string>();
  if (d.contains("dave_protocol_version") && d["dave_protocol_version"].is_number_integer())
    m.dave_protocol_version = d["dave_protocol_version"].get<int>();
  return true;
}

bool read_users(const json& d, voice_message& m, std::string* error) {
  if (d.contains("user_ids") && d["user_ids"].is_array()) {
    for (const auto& u : d["user_ids"])
      if (u.is_string()) m.user_ids.push_back(u.get<std::string>());
  } else if (is_str(d, "user_id")) {
    m.user_ids.push_back(d["user_id"].get<std::string>());
  } else {
    return fail(error, "a client event without user ids");
  }
  return true;
}

bool read_dave(const json& d, voice_message& m, std::string* error) {
  if (m.what != k::dave_prepare_epoch) {
    if (!is_uint(d, "transition_id", 0xFFFF))
      return fail(error, "a DAVE transition without its id");
    m.transition_id = d["transition_id"].get<int>();
  }
  if (m.what == k::dave_execute_transition) return true;
  if (!is_uint(d, "protocol_version", 255)) return fail(error, "a DAVE event without its version");
  m.protocol_version = d["protocol_version"].get<int>();
  if (m.what == k::dave_prepare_epoch) {
    if (!is_uint(d, "epoch", ~std::uint64_t{0}))
      return fail(error, "a DAVE epoch without its number");
    m.epoch = d["epoch"].get<std::uint64_t>();
  }
  return true;
}

bool read_fields(const json& d, voice_message& m, std::string* error) {
  switch (m.what) {
    case k::hello:
      if (!d.contains("heartbeat_interval") || !d["heartbeat_interval"].is_number() ||
          d["heartbeat_interval"].get<double>() < 1 || d["heartbeat_interval"].get<double>() > 6e5)
        return fail(error, "hello without a heartbeat_interval in range");
      m.heartbeat_interval =
          std::chrono::milliseconds(static_cast<long>(d["heartbeat_interval"].get<double>()));
      return true;
    case k::ready:
      return read_ready(d, m, error);
    case k::session_description:
      return read_description(d, m, error);
    case k::speaking:
      if (!is_uint(d, "ssrc", 0xFFFFFFFFU) || !is_str(d, "user_id"))
        return fail(error, "speaking without ssrc and user_id");
      m.ssrc = d["ssrc"].get<std::uint32_t>();
      m.user_ids.push_back(d["user_id"].get<std::string>());
      return true;
    case k::clients_connect:
    case k::client_disconnect:
      return read_users(d, m, error);
    case k::dave_prepare_transition:
    case k::dave_execute_transition:
    case k::dave_prepare_epoch:
      return read_dave(d, m, error);
    default:
      return true;
  }
}

}  // namespace

std::optional<voice_message> decode_voice(const std::string& text, std::string* error) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    fail(error, "not a JSON object");
    return std::nullopt;
  }
  if (!j.contains("op") || !j["op"].is_number_integer()) {
    fail(error, "no op");
    return std::nullopt;
  }
  voice_message m;
  m.op = j["op"].get<int>();
  m.what = kind_of(m.op);
  if (j.contains("seq") && j["seq"].is_number_integer()) m.seq = j["seq"].get<std::int64_t>();
  const json d = j.contains("d") && j["d"].is_object() ? j["d"] : json::object();
  if (!read_fields(d, m, error)) return std::nullopt;
  return m;
}

voice_session::voice_session(voice_join join) : join_(std::move(join)) {}

std::string voice_session::on_hello(std::chrono::milliseconds interval, clock::time_point now) {
  interval_ = interval;
  awaiting_ack_ = false;
  next_heartbeat_ = now + interval;
  phase_ = phase::identified;
  return established_ ? resume() : identify();
}

void voice_session::on_message(const voice_message& m, clock::time_point now) {
  if (m.seq && *m.seq > seq_ack_) seq_ack_ = *m.seq;
  switch (m.what) {
    case k::heartbeat_ack:
      if (awaiting_ack_)
        latency_ = std::chrono::duration_cast<std::chrono::milliseconds>(now - heartbeat_sent_);
      awaiting_ack_ = false;
      return;
    case k::ready:
      ssrc_ = m.ssrc;
      udp_ip_ = m.ip;
      udp_port_ = m.port;
      modes_ = m.modes;
      phase_ = phase::discovering;
      return;
    case k::session_description:
      mode_ = m.mode;
      key_ = m.key;
      established_ = true;
      phase_ = phase::ready;
      return;
    case k::resumed:
      phase_ = phase::ready;
      return;
    case k::speaking:
      speakers_[m.ssrc] = m.user_ids.front();
      users_.insert(m.user_ids.front());
      return;
    case k::clients_connect:
      users_.insert(m.user_ids.begin(), m.user_ids.end());
      return;
    case k::client_disconnect:
      for (const auto& u : m.user_ids) {
        users_.erase(u);
        for (auto it = speakers_.begin(); it != speakers_.end();)
          it = it->second == u ? speakers_.erase(it) : std::next(it);
      }
      return;
    default:
      return;
  }
}

void voice_session::on_binary_sequence(std::uint16_t seq) {
  if (seq > seq_ack_) seq_ack_ = seq;
}

std::optional<std::string> voice_session::select_protocol(const discovered_address& a) {
  const auto chosen = choose_mode(modes_);
  if (!chosen) return std::nullopt;
  phase_ = phase::selecting;
  return json{{"op", 1},
              {"d",
               {{"protocol", "udp"},
                {"data", {{"address", a.address}, {"port", a.port}, {"mode", *chosen}}}}}}
      .dump();
}

std::optional<std::string> voice_session::on_heartbeat_due(clock::time_point now) {
  if (awaiting_ack_) return std::nullopt;
  awaiting_ack_ = true;
  heartbeat_sent_ = now;
  next_heartbeat_ = now + interval_;
  const auto nonce =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return json{{"op", 3}, {"d", {{"t", nonce}, {"seq_ack", seq_ack_}}}}.dump();
}

std::string voice_session::speaking(bool on) const {
  return json{{"op", 5},
              {"d", {{"speaking", on ? 1 : 0}, {"delay", 0}, {"ssrc", ssrc_.value_or(0)}}}}
      .dump();
}

voice_step voice_session::on_close(int code) {
  awaiting_ack_ = false;
  phase_ = phase::connecting;
  auto step = meaning_of_voice_close(code).step;
  if (step == voice_step::resume && !established_) step = voice_step::rejoin;
  if (step != voice_step::resume) {
    established_ = false;
    seq_ack_ = -1;
  }
  return step;
}

std::optional<std::string> voice_session::user_of(std::uint32_t ssrc) const {
  const auto it = speakers_.find(ssrc);
  if (it == speakers_.end()) return std::nullopt;
  return it->second;
}

void voice_session::move_to(voice_join join) {
  join_ = std::move(join);
  established_ = false;
  seq_ack_ = -1;
  phase_ = phase::connecting;
}

std::string voice_session::identify() const {
  return json{{"op", 0},
              {"d",
               {{"server_id", join_.guild_id},
                {"user_id", join_.user_id},
                {"session_id", join_.session_id},
                {"token", join_.token},
                {"max_dave_protocol_version", max_dave_protocol_version}}}}
      .dump();
}

std::string voice_session::resume() const {
  return json{{"op", 7},
              {"d",
               {{"server_id", join_.guild_id},
                {"session_id", join_.session_id},
                {"token", join_.token},
                {"seq_ack", seq_ack_}}}}
      .dump();
}

}  // namespace parley::discord
