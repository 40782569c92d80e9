#pragma once
// What a guild_session tells the members of its room, as typed data. Each
// transport renders these in its own terms (the WebSocket transport as the
// JSON of docs/protocol.md); the core never builds a wire format.

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>

namespace parley::messages {

enum class event_type : std::uint8_t {
  speech_started,  // user, turn
  speech_ended,    // user, turn
  transcript,      // user, turn, text, final
  reply,           // turn, text (one sentence), final
  audio_started,   // turn
  audio_ended,     // turn, frames
  interrupted,     // turn, text (the reason: "barge_in")
  reflex,          // turn, text (the acknowledgement's words), frames: it plays before the reply
  error,           // code, text (the message), turn when about one
};

// Every error code a client may see, from the core or from a transport.
enum class error_code : std::uint8_t {
  protocol,
  bad_json,
  unknown_type,
  unsupported_format,
  bad_audio,
  rate_limited,
  too_large,
  stt_failed,
  agent_failed,
  tts_failed,
  busy,
  internal,
  replaced,
};

inline const char* to_string(event_type t) {
  switch (t) {
    case event_type::speech_started:
      return "speech_started";
    case event_type::speech_ended:
      return "speech_ended";
    case event_type::transcript:
      return "transcript";
    case event_type::reply:
      return "reply";
    case event_type::audio_started:
      return "audio_started";
    case event_type::audio_ended:
      return "audio_ended";
    case event_type::interrupted:
      return "interrupted";
    case event_type::reflex:
      return "reflex";
    case event_type::error:
      return "error";
  }
  return "unknown";
}

inline const char* to_string(error_code c) {
  switch (c) {
    case error_code::protocol:
      return "protocol";
    case error_code::bad_json:
      return "bad_json";
    case error_code::unknown_type:
      return "unknown_type";
    case error_code::unsupported_format:
      return "unsupported_format";
    case error_code::bad_audio:
      return "bad_audio";
    case error_code::rate_limited:
      return "rate_limited";
    case error_code::too_large:
      return "too_large";
    case error_code::stt_failed:
      return "stt_failed";
    case error_code::agent_failed:
      return "agent_failed";
    case error_code::tts_failed:
      return "tts_failed";
    case error_code::busy:
      return "busy";
    case error_code::internal:
      return "internal";
    case error_code::replaced:
      return "replaced";
  }
  return "internal";
}

struct session_event {
  event_type type = event_type::error;
  std::uint64_t turn = 0;  // 0: not about a turn
  std::string user;
  std::string text;
  bool final = false;
  std::uint32_t frames = 0;
  error_code code = error_code::internal;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_event& x) {
  return f(caf::meta::type_name("session_event"), x.type, x.turn, x.user, x.text, x.final, x.frames,
           x.code);
}

// The events, by name.
namespace events {
inline session_event speech_started(std::string user, std::uint64_t turn) {
  return {event_type::speech_started, turn, std::move(user), {}, false, 0, {}};
}
inline session_event speech_ended(std::string user, std::uint64_t turn) {
  return {event_type::speech_ended, turn, std::move(user), {}, false, 0, {}};
}
inline session_event transcript(std::string user, std::uint64_t turn, std::string text,
                                bool final) {
  return {event_type::transcript, turn, std::move(user), std::move(text), final, 0, {}};
}
inline session_event reply(std::uint64_t turn, std::string sentence, bool final) {
  return {event_type::reply, turn, {}, std::move(sentence), final, 0, {}};
}
inline session_event audio_started(std::uint64_t turn) {
  return {event_type::audio_started, turn, {}, {}, false, 0, {}};
}
inline session_event audio_ended(std::uint64_t turn, std::uint32_t frames) {
  return {event_type::audio_ended, turn, {}, {}, false, frames, {}};
}
inline session_event interrupted(std::uint64_t turn, std::string reason) {
  return {event_type::interrupted, turn, {}, std::move(reason), false, 0, {}};
}
inline session_event reflex(std::uint64_t turn, std::string words, std::uint32_t frames) {
  return {event_type::reflex, turn, {}, std::move(words), false, frames, {}};
}
inline session_event error(error_code code, std::string message, std::uint64_t turn = 0) {
  return {event_type::error, turn, {}, std::move(message), false, 0, code};
}
}  // namespace events

}  // namespace parley::messages
