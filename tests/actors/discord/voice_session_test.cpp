// One voice connection's gateway (v8) without a socket: identify with the
// DAVE version Parley speaks, ready → IP discovery → select protocol →
// session description, heartbeats with seq_ack, resume, SSRC → user
// mapping, and what each close code means.

#include "actors/transport/discord/voice_session.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace parley::discord;
using namespace std::chrono_literals;
using nlohmann::json;
using tp = voice_session::clock::time_point;

namespace {

const tp t0{std::chrono::seconds(50)};

voice_message msg(const std::string& text) {
  std::string why;
  auto m = decode_voice(text, &why);
  BOOST_REQUIRE_MESSAGE(m, why);
  return *m;
}

std::string key_json() {
  json k = json::array();
  for (int i = 0; i < 32; ++i) k.push_back(i);
  return k.dump();
}

struct fixture {
  voice_session s{{"g1", "c1", "u-bot", "sess-1", "voice-token", "voice.example:443"}};

  void establish() {
    s.on_hello(13750ms, t0);
    s.on_message(msg(R"({"op":2,"seq":1,"d":{"ssrc":77,"ip":"127.0.0.1","port":50001,)"
                     R"("modes":["aead_xchacha20_poly1305_rtpsize","aead_aes256_gcm_rtpsize"]}})"),
                 t0);
    BOOST_REQUIRE(s.select_protocol({77, "10.0.0.2", 40000}));
    s.on_message(msg(R"({"op":4,"seq":2,"d":{"mode":"aead_aes256_gcm_rtpsize","secret_key":)" +
                     key_json() + R"(,"dave_protocol_version":0}})"),
                 t0);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(discord_voice_session, fixture)

BOOST_AUTO_TEST_CASE(hello_is_answered_with_identify_offering_no_dave_yet) {
  const auto id = json::parse(s.on_hello(13750ms, t0));
  BOOST_CHECK_EQUAL(id["op"], 0);
  BOOST_CHECK_EQUAL(id["d"]["server_id"], "g1");
  BOOST_CHECK_EQUAL(id["d"]["user_id"], "u-bot");
  BOOST_CHECK_EQUAL(id["d"]["session_id"], "sess-1");
  BOOST_CHECK_EQUAL(id["d"]["token"], "voice-token");
  BOOST_CHECK_EQUAL(id["d"]["max_dave_protocol_version"], 1);
  BOOST_CHECK(s.current() == voice_session::phase::identified);
}

BOOST_AUTO_TEST_CASE(ready_then_discovery_then_select_then_the_key) {
  s.on_hello(13750ms, t0);
  s.on_message(msg(R"({"op":2,"seq":1,"d":{"ssrc":77,"ip":"127.0.0.1","port":50001,)"
                   R"("modes":["aead_xchacha20_poly1305_rtpsize","aead_aes256_gcm_rtpsize"],)"
                   R"("heartbeat_interval":1}})"),
               t0);
  BOOST_CHECK(s.current() == voice_session::phase::discovering);
  BOOST_CHECK_EQUAL(*s.ssrc(), 77U);
  BOOST_CHECK_EQUAL(s.udp_ip(), "127.0.0.1");
  BOOST_CHECK_EQUAL(s.udp_port(), 50001);
  const auto select = json::parse(*s.select_protocol({77, "10.0.0.2", 40000}));
  BOOST_CHECK_EQUAL(select["op"], 1);
  BOOST_CHECK_EQUAL(select["d"]["protocol"], "udp");
  BOOST_CHECK_EQUAL(select["d"]["data"]["address"], "10.0.0.2");
  BOOST_CHECK_EQUAL(select["d"]["data"]["port"], 40000);
  BOOST_CHECK_EQUAL(select["d"]["data"]["mode"], "aead_aes256_gcm_rtpsize");
  s.on_message(msg(R"({"op":4,"seq":2,"d":{"mode":"aead_aes256_gcm_rtpsize","secret_key":)" +
                   key_json() + "}}"),
               t0);
  BOOST_CHECK(s.current() == voice_session::phase::ready);
  BOOST_CHECK_EQUAL(s.mode(), "aead_aes256_gcm_rtpsize");
  BOOST_CHECK_EQUAL(s.key()[31], 31);
  BOOST_CHECK_EQUAL(s.seq_ack(), 2);
}

BOOST_AUTO_TEST_CASE(a_server_offering_only_retired_modes_gets_no_selection) {
  s.on_hello(13750ms, t0);
  s.on_message(
      msg(R"({"op":2,"d":{"ssrc":1,"ip":"127.0.0.1","port":1,"modes":["xsalsa20_poly1305"]}})"),
      t0);
  BOOST_CHECK(!s.select_protocol({1, "127.0.0.1", 2}));
}

BOOST_AUTO_TEST_CASE(heartbeats_carry_seq_ack_including_zero_and_find_a_zombie) {
  s.on_hello(10000ms, t0);
  BOOST_CHECK_EQUAL(json::parse(*s.on_heartbeat_due(t0))["d"]["seq_ack"], -1);
  s.on_message(msg(R"({"op":6,"seq":0,"d":{"t":1}})"), t0 + 40ms);
  BOOST_CHECK_EQUAL(s.latency()->count(), 40);
  const auto beat = json::parse(*s.on_heartbeat_due(s.next_heartbeat()));
  BOOST_CHECK_EQUAL(beat["op"], 3);
  BOOST_CHECK_EQUAL(beat["d"]["seq_ack"], 0);            // a message numbered 0 is acknowledged too
  BOOST_CHECK(!s.on_heartbeat_due(s.next_heartbeat()));  // never acknowledged: a zombie
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_resumes_with_seq_ack) {
  establish();
  s.on_message(msg(R"({"op":5,"seq":9,"d":{"user_id":"u-ann","ssrc":1234,"speaking":1}})"), t0);
  BOOST_CHECK(s.on_close(1006) == voice_step::resume);
  const auto resume = json::parse(s.on_hello(13750ms, t0));
  BOOST_CHECK_EQUAL(resume["op"], 7);
  BOOST_CHECK_EQUAL(resume["d"]["server_id"], "g1");
  BOOST_CHECK_EQUAL(resume["d"]["session_id"], "sess-1");
  BOOST_CHECK_EQUAL(resume["d"]["token"], "voice-token");
  BOOST_CHECK_EQUAL(resume["d"]["seq_ack"], 9);
  s.on_message(msg(R"({"op":9,"seq":10,"d":null})"), t0);
  BOOST_CHECK(s.current() == voice_session::phase::ready);
  BOOST_CHECK_EQUAL(*s.user_of(1234), "u-ann");  // the speakers are kept across a resume
}

BOOST_AUTO_TEST_CASE(close_codes_decide_resume_rejoin_or_leave) {
  BOOST_CHECK(s.on_close(1006) == voice_step::rejoin);  // nothing to resume yet
  establish();
  BOOST_CHECK(s.on_close(4015) == voice_step::resume);  // the voice server crashed
  establish();
  BOOST_CHECK(s.on_close(4006) == voice_step::rejoin);
  BOOST_CHECK(json::parse(s.on_hello(1000ms, t0))["op"] == 0);  // identify, not resume
  BOOST_CHECK(s.on_close(4014) == voice_step::leave);
  const auto dave = meaning_of_voice_close(4017);
  BOOST_CHECK(dave.step == voice_step::leave);
  BOOST_CHECK(dave.why.find("DAVE") != std::string::npos);
  BOOST_CHECK_EQUAL(to_string(voice_step::rejoin), std::string("rejoin"));
}

BOOST_AUTO_TEST_CASE(speakers_and_members_follow_speaking_connect_and_disconnect) {
  establish();
  s.on_message(msg(R"({"op":11,"seq":3,"d":{"user_ids":["u-ann","u-bob"]}})"), t0);
  s.on_message(msg(R"({"op":5,"seq":4,"d":{"user_id":"u-bob","ssrc":555,"speaking":1}})"), t0);
  BOOST_CHECK_EQUAL(s.users().size(), 2U);
  BOOST_CHECK_EQUAL(*s.user_of(555), "u-bob");
  s.on_message(msg(R"({"op":13,"seq":5,"d":{"user_id":"u-bob"}})"), t0);
  BOOST_CHECK(!s.user_of(555));
  BOOST_CHECK_EQUAL(s.users().count("u-bob"), 0U);
  const auto speak = json::parse(s.speaking(true));
  BOOST_CHECK_EQUAL(speak["op"], 5);
  BOOST_CHECK_EQUAL(speak["d"]["speaking"], 1);
  BOOST_CHECK_EQUAL(speak["d"]["ssrc"], 77);
}

BOOST_AUTO_TEST_CASE(a_move_forgets_the_old_session) {
  establish();
  s.move_to({"g1", "c2", "u-bot", "sess-2", "token-2", "other.example:443"});
  BOOST_CHECK(s.current() == voice_session::phase::connecting);
  const auto id = json::parse(s.on_hello(1000ms, t0));
  BOOST_CHECK_EQUAL(id["op"], 0);
  BOOST_CHECK_EQUAL(id["d"]["session_id"], "sess-2");
}

BOOST_AUTO_TEST_CASE(malformed_messages_are_refused_with_a_reason_and_unknown_ops_ignored) {
  std::string why;
  BOOST_CHECK(!decode_voice("[1,2]", &why));
  BOOST_CHECK_EQUAL(why, "not a JSON object");
  BOOST_CHECK(!decode_voice(R"({"op":"2"})", &why));
  BOOST_CHECK_EQUAL(why, "no op");
  BOOST_CHECK(!decode_voice(R"({"op":2,"d":{"ssrc":-1,"ip":"x","port":1,"modes":[]}})", &why));
  BOOST_CHECK(!decode_voice(R"({"op":2,"d":{"ssrc":1,"ip":"x","port":70000,"modes":[]}})", &why));
  BOOST_CHECK(!decode_voice(R"({"op":4,"d":{"mode":"m","secret_key":[1,2,3]}})", &why));
  BOOST_CHECK_EQUAL(why, "session description without mode and a 32-byte secret_key");
  json bad_byte = json::parse(key_json());
  bad_byte[0] = 256;
  BOOST_CHECK(
      !decode_voice(R"({"op":4,"d":{"mode":"m","secret_key":)" + bad_byte.dump() + "}}", &why));
  BOOST_CHECK(!decode_voice(R"({"op":8,"d":{"heartbeat_interval":0}})", &why));
  BOOST_CHECK(!decode_voice(R"({"op":5,"d":{"ssrc":1}})", &why));
  BOOST_CHECK(!decode_voice(R"({"op":13,"d":{}})", &why));
  const auto unknown = decode_voice(R"({"op":18,"d":{"any":"thing"}})");
  BOOST_REQUIRE(unknown);
  BOOST_CHECK(unknown->what == voice_message::kind::unknown);
  BOOST_CHECK_EQUAL(unknown->op, 18);
  const auto hello = decode_voice(R"({"op":8,"d":{"heartbeat_interval":41250.5}})");
  BOOST_REQUIRE(hello);
  BOOST_CHECK_EQUAL(hello->heartbeat_interval.count(), 41250);
}

BOOST_AUTO_TEST_CASE(dave_events_are_read_and_binary_sequences_count_for_seq_ack) {
  const auto prepare = decode_voice(R"({"op":21,"d":{"transition_id":7,"protocol_version":0}})");
  BOOST_REQUIRE(prepare);
  BOOST_CHECK(prepare->what == voice_message::kind::dave_prepare_transition);
  BOOST_CHECK_EQUAL(prepare->transition_id, 7);
  const auto execute = decode_voice(R"({"op":22,"d":{"transition_id":7}})");
  BOOST_REQUIRE(execute);
  BOOST_CHECK(execute->what == voice_message::kind::dave_execute_transition);
  const auto epoch = decode_voice(R"({"op":24,"d":{"protocol_version":1,"epoch":1}})");
  BOOST_REQUIRE(epoch);
  BOOST_CHECK_EQUAL(epoch->epoch, 1U);
  std::string why;
  BOOST_CHECK(!decode_voice(R"({"op":22,"d":{}})", &why));
  BOOST_CHECK(why.find("transition") != std::string::npos);
  BOOST_CHECK(!decode_voice(R"({"op":24,"d":{"protocol_version":1}})", &why));
  BOOST_CHECK(!decode_voice(R"({"op":21,"d":{"transition_id":70000,"protocol_version":1}})"));
  establish();
  s.on_binary_sequence(40);
  BOOST_CHECK_EQUAL(s.seq_ack(), 40);
}

BOOST_AUTO_TEST_SUITE_END()
