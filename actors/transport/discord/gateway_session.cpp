#include "actors/transport/discord/gateway_session.hpp"

#include <nlohmann/json.hpp>

namespace parley::discord {

using nlohmann::json;

const char* to_string(next_step s) {
  switch (s) {
    case next_step::resume:
      return "resume";
    case next_step::identify:
      return "identify";
    case next_step::stop:
      return "stop";
  }
  return "unknown";
}

close_meaning meaning_of_close(int code) {
  switch (code) {
    case 4004:
      return {next_step::stop, "authentication failed: check DISCORD_TOKEN"};
    case 4010:
      return {next_step::stop, "invalid shard: check PARLEY_DISCORD_SHARD"};
    case 4011:
      return {next_step::stop, "sharding required: run more shards (PARLEY_DISCORD_SHARD=i/n)"};
    case 4012:
      return {next_step::stop, "invalid API version"};
    case 4013:
      return {next_step::stop, "invalid intents"};
    case 4014:
      return {next_step::stop, "disallowed intents: enable them for the application"};
    case 4007:
      return {next_step::identify, "invalid sequence on resume"};
    case 4009:
      return {next_step::identify, "session timed out"};
    default:
      return {next_step::resume, "connection closed (" + std::to_string(code) + ")"};
  }
}

namespace {

gateway_message::kind kind_of(int op) {
  using k = gateway_message::kind;
  switch (op) {
    case 0:
      return k::dispatch;
    case 1:
      return k::heartbeat_request;
    case 7:
      return k::reconnect;
    case 9:
      return k::invalid_session;
    case 10:
      return k::hello;
    case 11:
      return k::heartbeat_ack;
    default:
      return k::unknown;
  }
}

bool fail(std::string* error, const char* why) {
  if (error != nullptr) *error = why;
  return false;
}

// The fields each op needs, with the types the docs give them.
bool read_fields(const json& j, gateway_message& m, std::string* error) {
  using k = gateway_message::kind;
  const auto& d = j.contains("d") ? j["d"] : json();
  if (j.contains("s") && !j["s"].is_null()) {
    if (!j["s"].is_number_integer()) return fail(error, "s is not an integer");
    m.seq = j["s"].get<std::int64_t>();
  }
  switch (m.what) {
    case k::dispatch:
      if (!j.contains("t") || !j["t"].is_string()) return fail(error, "a dispatch without t");
      m.event = j["t"].get<std::string>();
      m.data = d.dump();
      return true;
    case k::hello: {
      if (!d.is_object() || !d.contains("heartbeat_interval") ||
          !d["heartbeat_interval"].is_number_unsigned())
        return fail(error, "hello without heartbeat_interval");
      const auto ms = d["heartbeat_interval"].get<std::uint64_t>();
      if (ms == 0 || ms > 600000) return fail(error, "heartbeat_interval out of range");
      m.heartbeat_interval = std::chrono::milliseconds(ms);
      return true;
    }
    case k::invalid_session:
      m.resumable = d.is_boolean() && d.get<bool>();
      return true;
    default:
      return true;
  }
}

}  // namespace

std::optional<gateway_message> decode_gateway(const std::string& text, std::string* error) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    fail(error, "not a JSON object");
    return std::nullopt;
  }
  if (!j.contains("op") || !j["op"].is_number_integer()) {
    fail(error, "no op");
    return std::nullopt;
  }
  gateway_message m;
  m.what = kind_of(j["op"].get<int>());
  if (!read_fields(j, m, error)) return std::nullopt;
  return m;
}

gateway_session::gateway_session(std::string token, shard s, random_fn random)
    : token_(std::move(token)), shard_(s), random_(std::move(random)) {}

std::string gateway_session::on_hello(std::chrono::milliseconds interval, clock::time_point now) {
  interval_ = interval;
  awaiting_ack_ = false;
  pending_.reset();
  const auto first = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double, std::milli>(random_() * static_cast<double>(interval.count())));
  next_heartbeat_ = now + first;
  return has_session() ? resume() : identify();
}

std::optional<std::string> gateway_session::on_message(const gateway_message& m,
                                                       clock::time_point now) {
  using k = gateway_message::kind;
  if (m.seq) seq_ = m.seq;
  switch (m.what) {
    case k::heartbeat_ack:
      if (awaiting_ack_)
        latency_ = std::chrono::duration_cast<std::chrono::milliseconds>(now - heartbeat_sent_);
      awaiting_ack_ = false;
      return std::nullopt;
    case k::heartbeat_request:  // answered at once; the schedule stays
      return heartbeat();
    case k::reconnect:
      pending_ = next_step::resume;
      return std::nullopt;
    case k::invalid_session:
      pending_ = m.resumable ? next_step::resume : next_step::identify;
      if (!m.resumable) forget_session();
      return std::nullopt;
    case k::dispatch:
      if (m.event == "READY") {
        auto d = json::parse(m.data, nullptr, false);
        if (d.is_object() && d.value("session_id", json()).is_string()) {
          session_id_ = d["session_id"].get<std::string>();
          resume_url_ = d.value("resume_gateway_url", std::string());
        }
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<std::string> gateway_session::on_heartbeat_due(clock::time_point now) {
  if (awaiting_ack_) return std::nullopt;  // zombie: the last one was never acknowledged
  awaiting_ack_ = true;
  heartbeat_sent_ = now;
  next_heartbeat_ = now + interval_;
  return heartbeat();
}

next_step gateway_session::on_close(int code) {
  auto step = pending_ ? *pending_ : meaning_of_close(code).step;
  if (step == next_step::resume && !has_session()) step = next_step::identify;
  if (step != next_step::resume) forget_session();
  pending_.reset();
  awaiting_ack_ = false;
  return step;
}

std::string gateway_session::identify() const {
  return json{{"op", 2},
              {"d",
               {{"token", token_},
                {"intents", voice_intents},
                {"properties", {{"os", "linux"}, {"browser", "parley"}, {"device", "parley"}}},
                {"shard", {shard_.id, shard_.count}}}}}
      .dump();
}

std::string gateway_session::resume() const {
  return json{
      {"op", 6},
      {"d", {{"token", token_}, {"session_id", session_id_}, {"seq", seq_ ? json(*seq_) : json()}}}}
      .dump();
}

std::string gateway_session::heartbeat() const {
  return json{{"op", 1}, {"d", seq_ ? json(*seq_) : json()}}.dump();
}

void gateway_session::forget_session() {
  session_id_.clear();
  resume_url_.clear();
  seq_.reset();
}

}  // namespace parley::discord
