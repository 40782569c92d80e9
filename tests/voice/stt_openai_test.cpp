// PARLEY_STT=openai end to end against the fake provider: the turn's
// transcript is the provider's; when it fails, pocketsphinx's, counted in the
// metrics; the API key never reaches the log.

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "runtime/common/log.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

const char* const remote_transcript = "Go forward ten meters, heard by the provider.";

// The fake provider, and a log captured to a file, both made before the app.
struct stt_provider {
  fakes::fake_openai_server fake{"sk-stt-key-should-never-be-logged-77"};
  test::log_capture log;
  stt_provider() { fake.set_transcript(remote_transcript); }
  std::string log_text() { return log.text(); }
  runtime::config cfg() {
    auto c = test::test_config(false);
    c.stt = "openai";
    c.stt_url = fake.base_url();
    c.stt_key = fake.api_key();
    c.stt_timeout = 2000ms;
    c.level = runtime::log_level::debug;
    return c;
  }
};

struct stt_openai_fixture : stt_provider, test::app_fixture {
  stt_openai_fixture() : app_fixture(cfg()) {}

  // Says goforward.raw and returns the turn's final transcript.
  std::string final_transcript(const std::string& user) {
    client::client_pool pool;
    auto c = test::joined(pool, voice_url("stt", user));
    client::stream_paced(*c, test::goforward_packets(), client::clock::now());
    BOOST_REQUIRE(test::keep_talking_until(
        *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 15s));
    std::optional<client::event> final;
    while (auto t = c->wait_for("transcript", 0ms))
      if (t->body["final"]) final = t;
    BOOST_REQUIRE(final);
    return final->body["text"].get<std::string>();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(openai_stt_end_to_end, stt_openai_fixture)

BOOST_AUTO_TEST_CASE(the_transcript_is_the_providers) {
  BOOST_CHECK_EQUAL(final_transcript("erin"), remote_transcript);
  BOOST_CHECK_EQUAL(fake.transcription_count(), 1u);
  BOOST_CHECK_EQUAL(fake.last_transcription().authorization, "Bearer " + fake.api_key());
  BOOST_CHECK_GT(fake.last_transcription().wav_samples, 16000u);  // over a second of speech
  const auto metrics = app.stats().serialize();
  BOOST_CHECK(metrics.find("parley_stt_fallbacks_total{provider=\"openai\"} 0") !=
              std::string::npos);
  BOOST_CHECK(log_text().find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failing_provider_is_replaced_by_pocketsphinx_and_counted) {
  fake.set_transcription_mode(fakes::fake_stt_mode::fail);
  BOOST_CHECK_EQUAL(final_transcript("frank"), "go forward ten meters");
  const auto metrics = app.stats().serialize();
  BOOST_CHECK(metrics.find("parley_stt_remote_failures_total{provider=\"openai\"} 1") !=
              std::string::npos);
  BOOST_CHECK(metrics.find("parley_stt_fallbacks_total{provider=\"openai\"} 1") !=
              std::string::npos);
  const auto log = log_text();
  BOOST_CHECK(log.find("remote speech recognition failed") != std::string::npos);
  BOOST_CHECK(log.find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
