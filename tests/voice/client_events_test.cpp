// The WebSocket transport's rendering of the session's typed events: the
// JSON of docs/protocol.md, field by field.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/transport/websocket/client_events.hpp"

using namespace parley;
using namespace parley::messages;
using nlohmann::json;

namespace {
json as_json(const session_event& e) {
  return json::parse(transport::encode_event(e));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(client_events)

BOOST_AUTO_TEST_CASE(each_event_has_the_fields_of_the_protocol) {
  BOOST_CHECK_EQUAL(as_json(events::speech_started("ann", 3)),
                    json({{"type", "speech_started"}, {"user", "ann"}, {"turn", 3}}));
  BOOST_CHECK_EQUAL(as_json(events::speech_ended("ann", 3)),
                    json({{"type", "speech_ended"}, {"user", "ann"}, {"turn", 3}}));
  BOOST_CHECK_EQUAL(as_json(events::transcript("ann", 3, "go forward", false)),
                    json({{"type", "transcript"},
                          {"user", "ann"},
                          {"turn", 3},
                          {"text", "go forward"},
                          {"final", false}}));
  BOOST_CHECK_EQUAL(
      as_json(events::reply(3, "It is noon.", true)),
      json({{"type", "reply"}, {"turn", 3}, {"text", "It is noon."}, {"final", true}}));
  BOOST_CHECK_EQUAL(as_json(events::audio_started(3)),
                    json({{"type", "audio_started"}, {"turn", 3}}));
  BOOST_CHECK_EQUAL(as_json(events::audio_ended(3, 120)),
                    json({{"type", "audio_ended"}, {"turn", 3}, {"frames", 120}}));
  BOOST_CHECK_EQUAL(as_json(events::interrupted(3, "barge_in")),
                    json({{"type", "interrupted"}, {"turn", 3}, {"reason", "barge_in"}}));
}

BOOST_AUTO_TEST_CASE(an_error_names_its_code_and_its_turn_only_when_it_has_one) {
  BOOST_CHECK_EQUAL(as_json(events::error(error_code::stt_failed, "could not answer", 7)),
                    json({{"type", "error"},
                          {"code", "stt_failed"},
                          {"message", "could not answer"},
                          {"turn", 7}}));
  BOOST_CHECK_EQUAL(
      as_json(events::error(error_code::replaced, "another connection")),
      json({{"type", "error"}, {"code", "replaced"}, {"message", "another connection"}}));
}

BOOST_AUTO_TEST_CASE(every_error_code_has_its_protocol_name) {
  const std::pair<error_code, const char*> names[] = {
      {error_code::protocol, "protocol"},
      {error_code::bad_json, "bad_json"},
      {error_code::unknown_type, "unknown_type"},
      {error_code::unsupported_format, "unsupported_format"},
      {error_code::bad_audio, "bad_audio"},
      {error_code::rate_limited, "rate_limited"},
      {error_code::too_large, "too_large"},
      {error_code::stt_failed, "stt_failed"},
      {error_code::agent_failed, "agent_failed"},
      {error_code::tts_failed, "tts_failed"},
      {error_code::busy, "busy"},
      {error_code::internal, "internal"},
      {error_code::replaced, "replaced"}};
  for (const auto& [code, name] : names) BOOST_CHECK_EQUAL(std::string(to_string(code)), name);
}

BOOST_AUTO_TEST_CASE(ready_and_refusals) {
  const auto ready = json::parse(transport::encode_ready({"g", "u", "g/u/1", "0123abcd"}));
  BOOST_CHECK_EQUAL(ready["type"], "ready");
  BOOST_CHECK_EQUAL(ready["protocol"], 1);
  BOOST_CHECK_EQUAL(ready["session"], "g/u/1");
  BOOST_CHECK_EQUAL(ready["sample_rate"], 48000);
  BOOST_CHECK_EQUAL(ready["resume"], "0123abcd");
  BOOST_CHECK_EQUAL(json::parse(transport::encode_refusal("busy", "full")),
                    json({{"error", "busy"}, {"message", "full"}}));
  BOOST_CHECK_EQUAL(json::parse(transport::encode_error("bad_json", "x")),
                    json({{"type", "error"}, {"code", "bad_json"}, {"message", "x"}}));
}

BOOST_AUTO_TEST_SUITE_END()
