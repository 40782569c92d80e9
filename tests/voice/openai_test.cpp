// PARLEY_AGENT=openai end to end against the fake provider: the spoken reply
// is the model's streamed text, failures are heard as an apology, and the
// API key never reaches the log.

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "runtime/common/log.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

// The fake provider, and a log captured to a file, both made before the app.
struct provider {
  fakes::fake_openai_server fake{"sk-test-key-should-never-be-logged-42"};
  test::log_capture log;
  provider() { fake.set_reply("Hello from the model. It streams sentence by sentence!", 5); }
  std::string log_text() { return log.text(); }
  runtime::config cfg() {
    auto c = test::test_config(false);
    c.agent = "openai";
    c.agent_url = fake.base_url();
    c.agent_key = fake.api_key();
    c.agent_model = "fake-model";
    c.level = runtime::log_level::debug;
    return c;
  }
};

struct openai_fixture : provider, test::app_fixture {
  openai_fixture() : app_fixture(cfg()) {}
};

std::string replies_of(client::voice_connection& c) {
  std::string text;
  for (const auto& e : c.events())
    if (e.type() == "reply" && !e.body["text"].get<std::string>().empty())
      text += (text.empty() ? "" : " ") + e.body["text"].get<std::string>();
  return text;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(openai_agent_end_to_end, openai_fixture)

BOOST_AUTO_TEST_CASE(the_spoken_reply_is_the_models_streamed_text) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("o1", "dana"));
  c->send_json({{"type", "text"}, {"text", "tell me something"}});
  BOOST_REQUIRE(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 15s));
  BOOST_CHECK_EQUAL(replies_of(*c), fake.reply());
  BOOST_CHECK_GT(c->audio_count(), 50u);
  BOOST_CHECK(fake.last_request_body().find("tell me something") != std::string::npos);
  BOOST_CHECK(log_text().find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failing_provider_is_heard_as_an_apology_and_the_key_stays_secret) {
  fake.set_mode(fakes::fake_openai_mode::fail);
  fake.set_echo_key_in_errors(true);  // even a provider that quotes the key back
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("o2", "erin"));
  c->send_json({{"type", "text"}, {"text", "are you there"}});
  auto err = c->wait_for("error", 15s);
  BOOST_REQUIRE(err);
  BOOST_CHECK_EQUAL(err->body["code"], "agent_failed");
  BOOST_CHECK(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 15s));
  BOOST_CHECK(replies_of(*c).find("Sorry") == 0);
  BOOST_CHECK_GT(c->audio_count(), 20u);
  for (const auto& e : c->events())
    BOOST_CHECK(e.body.dump().find(fake.api_key()) == std::string::npos);
  BOOST_CHECK(log_text().find(fake.api_key()) == std::string::npos);
  BOOST_CHECK(log_text().find("turn failed") != std::string::npos);
}

// Barge-in while the model is still streaming: the provider's connection is
// closed at once (nobody will hear the rest, and it is billed by the token).
BOOST_AUTO_TEST_CASE(a_barge_in_closes_the_providers_stream_within_100_ms) {
  std::string longer = "Here is the first sentence.";
  for (int i = 0; i < 60; ++i) longer += " And then another clause follows, slowly";
  fake.set_reply(longer + ".", 2);
  fake.set_chunk_delay(10ms);  // ~2 characters per 10 ms: 13 s of streaming
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("o3", "finn"));
  c->send_json({{"type", "text"}, {"text", "talk slowly"}});
  BOOST_REQUIRE(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_started"); }, 15s));
  BOOST_CHECK(!fake.client_hung_up());                 // still streaming
  c->send_json({{"type", "text"}, {"text", "stop"}});  // a new turn cuts the reply off
  const auto interrupted = c->wait_for("interrupted", 10s);
  BOOST_REQUIRE(interrupted);
  const auto hung_up = fake.client_hung_up(5s);
  BOOST_REQUIRE_MESSAGE(hung_up, "the provider's stream was never closed");
  const auto after =
      std::chrono::duration_cast<std::chrono::milliseconds>(*hung_up - interrupted->at).count();
  BOOST_TEST_MESSAGE("provider stream closed " << after << " ms after interrupted");
  BOOST_CHECK_LT(after, 100);
}

BOOST_AUTO_TEST_SUITE_END()
