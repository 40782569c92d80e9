// The protocol's refusals and errors: each gets a clear answer and affects
// only its own connection.

#include <boost/test/unit_test.hpp>

#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {
struct with_token : test::app_fixture {
  static runtime::config cfg() {
    auto c = test::test_config(false);
    c.voice_token = "voice-secret-token";
    return c;
  }
  with_token() : app_fixture(cfg()) {}
};
}  // namespace

BOOST_FIXTURE_TEST_SUITE(voice_protocol, test::app_fixture)

BOOST_AUTO_TEST_CASE(bad_handshakes_are_refused_with_a_status) {
  client::client_pool pool;
  auto no_user =
      pool.connect("ws://127.0.0.1:" + std::to_string(app.voice_port()) + "/v1/voice?guild=g");
  BOOST_CHECK(!no_user->wait_open(5s));
  BOOST_CHECK_EQUAL(no_user->http_status(), 400);
  auto bad_name = pool.connect(voice_url("g", "bad%20name"));
  BOOST_CHECK(!bad_name->wait_open(5s));
  BOOST_CHECK_EQUAL(bad_name->http_status(), 400);
  auto wrong_path =
      pool.connect("ws://127.0.0.1:" + std::to_string(app.voice_port()) + "/v2/x?guild=g&user=u");
  BOOST_CHECK(!wrong_path->wait_open(5s));
  BOOST_CHECK_EQUAL(wrong_path->http_status(), 404);
}

BOOST_AUTO_TEST_CASE(audio_before_hello_is_a_protocol_error) {
  client::client_pool pool;
  auto c = pool.connect(voice_url("p1", "u"));
  BOOST_REQUIRE(c->wait_open(5s));
  c->send_opus(client::silence_packet());
  auto err = c->wait_for("error", 5s);
  BOOST_REQUIRE(err);
  BOOST_CHECK_EQUAL(err->body["code"], "protocol");
  BOOST_CHECK(c->wait_closed(5s));
  BOOST_CHECK_EQUAL(c->close_code(), 1008);
}

BOOST_AUTO_TEST_CASE(bad_json_and_unknown_types_get_errors_and_the_session_goes_on) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("p2", "u"));
  c->send_text("{not json");
  auto e1 = c->wait_for("error", 5s);
  BOOST_REQUIRE(e1);
  BOOST_CHECK_EQUAL(e1->body["code"], "bad_json");
  c->send_json({{"type", "dance"}});
  auto e2 = c->wait_for("error", 5s);
  BOOST_REQUIRE(e2);
  BOOST_CHECK_EQUAL(e2->body["code"], "unknown_type");
  c->send_opus({0xff, 0xff, 0xff, 0x00, 0x13});  // not Opus
  auto e3 = c->wait_for("error", 5s);
  BOOST_REQUIRE(e3);
  BOOST_CHECK_EQUAL(e3->body["code"], "bad_audio");
  c->send_json({{"type", "text"}, {"text", "repeat after me still here"}});
  auto reply = c->wait_for("reply", 10s);
  BOOST_REQUIRE(reply);
  BOOST_CHECK_EQUAL(reply->body["text"], "still here");
}

BOOST_AUTO_TEST_CASE(unsupported_formats_are_refused) {
  client::client_pool pool;
  auto c = pool.connect(voice_url("p3", "u"));
  BOOST_REQUIRE(c->wait_open(5s));
  c->send_json({{"type", "hello"},
                {"codec", "pcm"},
                {"sample_rate", 16000},
                {"channels", 1},
                {"frame_ms", 20}});
  auto err = c->wait_for("error", 5s);
  BOOST_REQUIRE(err);
  BOOST_CHECK_EQUAL(err->body["code"], "unsupported_format");
  BOOST_CHECK(c->wait_closed(5s));
  BOOST_CHECK_EQUAL(c->close_code(), 1003);
}

BOOST_AUTO_TEST_CASE(the_page_is_served_at_the_root) {
  auto page = test::get("http://127.0.0.1:" + std::to_string(app.voice_port()) + "/");
  BOOST_CHECK_EQUAL(page.status, 200);
  BOOST_CHECK(page.content_type.find("text/html") == 0);
  BOOST_CHECK(page.body.find("<html") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_voice_token_is_required_when_configured, with_token) {
  client::client_pool pool;
  auto none = pool.connect(voice_url("t", "u"));
  BOOST_CHECK(!none->wait_open(5s));
  BOOST_CHECK_EQUAL(none->http_status(), 401);
  auto query = pool.connect(voice_url("t", "u") + "&token=voice-secret-token");
  BOOST_CHECK(query->wait_open(5s));
  auto bearer = pool.connect(voice_url("t", "v"), {{"Authorization", "Bearer voice-secret-token"}});
  BOOST_CHECK(bearer->wait_open(5s));
}

BOOST_AUTO_TEST_SUITE_END()
