// PARLEY_STT=openai end to end against the fake provider: the turn's
// transcript is the provider's; when it fails, pocketsphinx's, counted in the
// metrics; the API key never reaches the log.

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/common/log.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;
using nlohmann::json;

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

  // Whether the engine host of `engine` gets label `key` = `value` within `wait`.
  bool labels_become(const std::string& engine, const std::string& key, const std::string& value,
                     std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    do {
      for (const auto& a : app.registry().snapshot()) {
        if (a.kind != "engine_host" || a.tags.count("engine") == 0 || a.tags.at("engine") != engine)
          continue;
        if (a.tags.count(key) != 0 && a.tags.at(key) == value) return true;
      }
      std::this_thread::sleep_for(50ms);  // labels refresh on a timer: nothing to wait on
    } while (std::chrono::steady_clock::now() < until);
    return false;
  }

  // Says goforward.raw and returns the turn's final transcript; `waited`:
  // from speech_ended to that transcript, as the client saw it.
  std::string final_transcript(const std::string& user,
                               std::chrono::milliseconds* waited = nullptr) {
    client::client_pool pool;
    auto c = test::joined(pool, voice_url("stt", user));
    client::stream_paced(*c, test::goforward_packets(), client::clock::now());
    BOOST_REQUIRE(test::keep_talking_until(
        *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 15s));
    std::optional<client::event> final, ended;
    for (const auto& e : c->events()) {
      if (e.type() == "speech_ended" && !ended) ended = e;
      if (e.type() == "transcript" && e.body["final"]) final = e;
    }
    BOOST_REQUIRE(final && ended);
    if (waited != nullptr)
      *waited = std::chrono::duration_cast<std::chrono::milliseconds>(final->at - ended->at);
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
  BOOST_CHECK(metrics.find(R"(parley_provider_calls_total{engine="stt",provider="openai"} 1)") !=
              std::string::npos);
  BOOST_CHECK(
      metrics.find(R"(parley_provider_fallbacks_total{engine="stt",provider="openai"} 0)") !=
      std::string::npos);
  BOOST_CHECK(metrics.find(R"(parley_provider_breaker_state{engine="stt",provider="openai"} 0)") !=
              std::string::npos);
  const auto health = json::parse(test::get(url("/health")).body);
  BOOST_CHECK_EQUAL(health["status"], "ok");
  BOOST_CHECK(log_text().find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failing_provider_is_replaced_by_pocketsphinx_and_counted) {
  fake.set_transcription_mode(fakes::fake_stt_mode::fail);
  BOOST_CHECK_EQUAL(final_transcript("frank"), "go forward ten meters");
  const auto metrics = app.stats().serialize();
  BOOST_CHECK(metrics.find(R"(parley_provider_failures_total{engine="stt",provider="openai"} 1)") !=
              std::string::npos);
  BOOST_CHECK(
      metrics.find(R"(parley_provider_fallbacks_total{engine="stt",provider="openai"} 1)") !=
      std::string::npos);
  // A 500 may be passing: it was tried twice more before giving up.
  BOOST_CHECK(metrics.find(R"(parley_provider_retries_total{engine="stt",provider="openai"} 2)") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(fake.transcription_count(), 3u);
  // /health says which provider failed, why, and that the fallback served.
  const auto health = json::parse(test::get(url("/health")).body);
  BOOST_REQUIRE_EQUAL(health["providers"].size(), 1u);
  const auto& p = health["providers"][0];
  BOOST_CHECK_EQUAL(p["engine"], "stt");
  BOOST_CHECK_EQUAL(p["provider"], "openai");
  BOOST_CHECK_EQUAL(p["on_failure"], "fallback");
  BOOST_CHECK_EQUAL(p["fallbacks"], 1);
  BOOST_CHECK(p["last_failure"].get<std::string>().find("HTTP 500") != std::string::npos);
  // So do the stt engine host's labels (refreshed every second).
  BOOST_CHECK(labels_become("stt", "fallbacks", "1", 5s));
  BOOST_CHECK(labels_become("stt", "fallback", "pocketsphinx", 1s));
  const auto log = log_text();
  BOOST_CHECK(log.find("remote speech recognition unavailable") != std::string::npos);
  BOOST_CHECK(log.find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_stalled_provider_still_gets_the_turn_answered_in_time) {
  fake.set_transcription_mode(fakes::fake_stt_mode::hang);
  std::chrono::milliseconds waited{0};
  BOOST_CHECK_EQUAL(final_transcript("gail", &waited), "go forward ten meters");
  // The provider is given up after PARLEY_STT_TIMEOUT_MS (2 s); pocketsphinx,
  // fed all along, answers at once: well inside the 10 s STT deadline.
  BOOST_CHECK_GE(waited.count(), 1900);
  BOOST_CHECK_LT(waited.count(), 4000);
  fake.release_hangs();
  const auto health = json::parse(test::get(url("/health")).body);
  BOOST_CHECK(health["providers"][0]["last_failure"].get<std::string>().find("timed out") !=
              std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
