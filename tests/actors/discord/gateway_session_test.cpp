// The Discord gateway session without a socket: identify, heartbeats with
// their jitter, the zombie check, resume, and what each close means.

#include "actors/transport/discord/gateway_session.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace parley::discord;
using namespace std::chrono_literals;
using nlohmann::json;
using tp = gateway_session::clock::time_point;

namespace {

const tp t0{std::chrono::seconds(100)};

gateway_message msg(const std::string& text) {
  auto m = decode_gateway(text);
  BOOST_REQUIRE(m);
  return *m;
}

gateway_message ready(const std::string& session, int seq) {
  return msg(R"({"op":0,"t":"READY","s":)" + std::to_string(seq) + R"(,"d":{"session_id":")" +
             session + R"(","resume_gateway_url":"wss://resume.example"}})");
}

struct fixture {
  gateway_session s{"secret-token", {2, 4}, [] { return 0.25; }};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(discord_gateway_session, fixture)

BOOST_AUTO_TEST_CASE(hello_is_answered_with_identify_and_the_first_beat_is_jittered) {
  const auto first = json::parse(s.on_hello(40000ms, t0));
  BOOST_CHECK_EQUAL(first["op"], 2);
  BOOST_CHECK_EQUAL(first["d"]["token"], "secret-token");
  BOOST_CHECK_EQUAL(first["d"]["intents"], 129);  // GUILDS | GUILD_VOICE_STATES
  BOOST_CHECK(first["d"]["shard"] == json::array({2, 4}));
  BOOST_CHECK(s.next_heartbeat() == t0 + 10000ms);  // 0.25 of the interval
}

BOOST_AUTO_TEST_CASE(heartbeats_carry_the_last_sequence_and_measure_the_round_trip) {
  s.on_hello(40000ms, t0);
  BOOST_CHECK_EQUAL(json::parse(*s.on_heartbeat_due(t0 + 10s))["d"], nullptr);
  s.on_message(msg(R"({"op":11})"), t0 + 10s + 42ms);
  BOOST_REQUIRE(s.latency());
  BOOST_CHECK_EQUAL(s.latency()->count(), 42);
  s.on_message(ready("abc", 5), t0 + 11s);
  BOOST_CHECK(s.next_heartbeat() == t0 + 50s);
  BOOST_CHECK_EQUAL(json::parse(*s.on_heartbeat_due(t0 + 50s))["d"], 5);
}

BOOST_AUTO_TEST_CASE(a_heartbeat_never_acknowledged_marks_a_zombie) {
  s.on_hello(40000ms, t0);
  BOOST_CHECK(s.on_heartbeat_due(t0 + 10s));
  BOOST_CHECK(!s.on_heartbeat_due(t0 + 50s));  // close it and resume
}

BOOST_AUTO_TEST_CASE(the_gateway_may_ask_for_a_heartbeat_at_once) {
  s.on_hello(40000ms, t0);
  auto beat = s.on_message(msg(R"({"op":1,"d":null})"), t0 + 1s);
  BOOST_REQUIRE(beat);
  BOOST_CHECK_EQUAL(json::parse(*beat)["op"], 1);
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_resumes_with_session_and_sequence) {
  s.on_hello(40000ms, t0);
  s.on_message(ready("abc", 1), t0);
  s.on_message(msg(R"({"op":0,"t":"VOICE_STATE_UPDATE","s":7,"d":{}})"), t0);
  BOOST_CHECK(s.on_close(1006) == next_step::resume);
  BOOST_CHECK_EQUAL(s.resume_url(), "wss://resume.example");
  const auto again = json::parse(s.on_hello(40000ms, t0 + 1s));
  BOOST_CHECK_EQUAL(again["op"], 6);
  BOOST_CHECK_EQUAL(again["d"]["session_id"], "abc");
  BOOST_CHECK_EQUAL(again["d"]["seq"], 7);
}

BOOST_AUTO_TEST_CASE(reconnect_and_invalid_session_decide_the_next_step) {
  s.on_hello(40000ms, t0);
  s.on_message(ready("abc", 1), t0);
  s.on_message(msg(R"({"op":7,"d":null})"), t0);
  BOOST_CHECK(s.pending() == next_step::resume);
  BOOST_CHECK(s.on_close(4000) == next_step::resume);
  s.on_hello(40000ms, t0);
  s.on_message(msg(R"({"op":9,"d":false})"), t0);
  BOOST_CHECK(s.on_close(1000) == next_step::identify);
  BOOST_CHECK(!s.has_session());
  BOOST_CHECK_EQUAL(json::parse(s.on_hello(40000ms, t0))["op"], 2);
}

BOOST_AUTO_TEST_CASE(without_a_session_a_resume_becomes_an_identify) {
  s.on_hello(40000ms, t0);
  BOOST_CHECK(s.on_close(1006) == next_step::identify);
}

BOOST_AUTO_TEST_CASE(close_codes_follow_discords_table) {
  BOOST_CHECK(meaning_of_close(4004).step == next_step::stop);
  BOOST_CHECK(meaning_of_close(4014).step == next_step::stop);
  BOOST_CHECK(meaning_of_close(4011).step == next_step::stop);
  BOOST_CHECK(meaning_of_close(4007).step == next_step::identify);
  BOOST_CHECK(meaning_of_close(4009).step == next_step::identify);
  BOOST_CHECK(meaning_of_close(4008).step == next_step::resume);
  BOOST_CHECK(meaning_of_close(1006).step == next_step::resume);
  BOOST_CHECK_EQUAL(to_string(next_step::stop), "stop");
  // The reason never carries the token.
  BOOST_CHECK(meaning_of_close(4004).why.find("secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_payloads_are_refused_with_a_reason) {
  std::string why;
  BOOST_CHECK(!decode_gateway("not json", &why));
  BOOST_CHECK_EQUAL(why, "not a JSON object");
  BOOST_CHECK(!decode_gateway(R"({"d":1})", &why));
  BOOST_CHECK_EQUAL(why, "no op");
  BOOST_CHECK(!decode_gateway(R"({"op":10,"d":{"heartbeat_interval":"soon"}})", &why));
  BOOST_CHECK(!decode_gateway(R"({"op":10,"d":{"heartbeat_interval":0}})", &why));
  BOOST_CHECK(!decode_gateway(R"({"op":0,"s":1,"d":{}})", &why));
  BOOST_CHECK_EQUAL(why, "a dispatch without t");
  BOOST_CHECK(!decode_gateway(R"({"op":0,"t":"X","s":"one","d":{}})", &why));
  auto unknown = decode_gateway(R"({"op":42})");
  BOOST_REQUIRE(unknown);
  BOOST_CHECK(unknown->what == gateway_message::kind::unknown);
  auto hello = decode_gateway(R"({"op":10,"d":{"heartbeat_interval":41250}})");
  BOOST_REQUIRE(hello);
  BOOST_CHECK_EQUAL(hello->heartbeat_interval.count(), 41250);
}

BOOST_AUTO_TEST_SUITE_END()
