// Graceful shutdown: once draining, the process is not ready and takes no
// new connections, yet a turn already heard is answered to its last frame
// before the connections close with 1001 (going away).

#include <boost/test/unit_test.hpp>
#include <future>

#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(voice_drain, test::app_fixture)

BOOST_AUTO_TEST_CASE(a_drain_answers_the_turn_in_progress_then_goes_away) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("drain", "u"));
  client::stream_paced(*c, test::goforward_packets(), client::clock::now());
  const auto ended = c->wait_for("speech_ended", 10s);
  BOOST_REQUIRE(ended);
  const auto turn = ended->body["turn"];

  app.ready().start_draining();  // what shutdown() does first, made visible here
  auto stopped = std::async(std::launch::async, [this] { app.shutdown(); });
  BOOST_CHECK_EQUAL(test::get(url("/readyz")).status, 503);
  auto late = pool.connect(voice_url("drain", "late"));
  BOOST_CHECK(!late->wait_open(5s));
  BOOST_CHECK_EQUAL(late->http_status(), 503);

  auto done = c->wait_for("audio_ended", 15s);
  BOOST_REQUIRE_MESSAGE(done, "the turn heard before the drain was not answered");
  BOOST_CHECK_EQUAL(done->body["turn"], turn);
  BOOST_CHECK_GT(done->body["frames"].get<int>(), 10);
  BOOST_REQUIRE(stopped.wait_for(app.settings().drain_timeout) == std::future_status::ready);
  BOOST_REQUIRE(c->wait_closed(5s));
  BOOST_CHECK_EQUAL(c->close_code(), 1001);
}

BOOST_AUTO_TEST_CASE(a_drain_with_nothing_open_stops_at_once) {
  const auto t0 = std::chrono::steady_clock::now();
  app.shutdown();
  BOOST_CHECK(std::chrono::steady_clock::now() - t0 < app.settings().drain_timeout / 2);
}

BOOST_AUTO_TEST_SUITE_END()
