#include "actors/transport/websocket/client_events.hpp"

#include <nlohmann/json.hpp>

#include "runtime/common/build_info.hpp"

namespace parley::transport {

using messages::event_type;
using nlohmann::json;

std::string encode_event(const messages::session_event& e) {
  json j{{"type", to_string(e.type)}};
  switch (e.type) {
    case event_type::speech_started:
    case event_type::speech_ended:
      j["user"] = e.user;
      j["turn"] = e.turn;
      break;
    case event_type::transcript:
      j["user"] = e.user;
      j["turn"] = e.turn;
      j["text"] = e.text;
      j["final"] = e.final;
      break;
    case event_type::reply:
      j["turn"] = e.turn;
      j["text"] = e.text;
      j["final"] = e.final;
      break;
    case event_type::audio_started:
      j["turn"] = e.turn;
      break;
    case event_type::audio_ended:
      j["turn"] = e.turn;
      j["frames"] = e.frames;
      break;
    case event_type::interrupted:
      j["turn"] = e.turn;
      j["reason"] = e.text;
      break;
    case event_type::reflex:
      j["turn"] = e.turn;
      j["text"] = e.text;
      j["frames"] = e.frames;
      break;
    case event_type::error:
      j["code"] = to_string(e.code);
      j["message"] = e.text;
      if (e.turn != 0) j["turn"] = e.turn;
      break;
  }
  return j.dump();
}

std::string encode_error(std::string_view code, std::string_view message) {
  return json{{"type", "error"}, {"code", code}, {"message", message}}.dump();
}

std::string encode_ready(const ready_info& r) {
  return json{{"type", "ready"},      {"protocol", 1},
              {"guild", r.guild},     {"user", r.user},
              {"session", r.session}, {"resume", r.resume},
              {"sample_rate", 48000}, {"channels", 1},
              {"frame_ms", 20},       {"server", std::string("parley/") + build_info::version}}
      .dump();
}

std::string encode_refusal(std::string_view code, std::string_view message) {
  return json{{"error", code}, {"message", message}}.dump();
}

}  // namespace parley::transport
