// PARLEY_TTS=openai end to end against the stand-in: the reply is spoken with
// the provider's audio; when the provider fails, flite speaks it instead; the
// API key never reaches the log.

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "actors/audio/opus_codec.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

// The stand-in and a captured log, both made before the app.
struct tts_provider {
  fakes::fake_openai_server fake{"sk-tts-key-should-never-be-logged-55"};
  test::log_capture log;
  runtime::config cfg() {
    auto c = test::test_config(false);
    c.tts = "openai";
    c.tts_url = fake.base_url();
    c.tts_key = fake.api_key();
    c.tts_timeout = 3000ms;
    c.level = runtime::log_level::debug;
    return c;
  }
};

struct tts_remote_fixture : tts_provider, test::app_fixture {
  tts_remote_fixture() : app_fixture(cfg()) {}

  // Asks for a one-sentence reply and returns its audio packets.
  std::vector<client::audio_packet> reply_audio(const std::string& user) {
    client::client_pool pool;
    auto c = test::joined(pool, voice_url("tts", user));
    c->send_json({{"type", "text"}, {"text", "repeat after me the remote voice works"}});
    BOOST_REQUIRE(test::keep_talking_until(
        *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 15s));
    return c->audio();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tts_remote_end_to_end, tts_remote_fixture)

BOOST_AUTO_TEST_CASE(the_reply_is_spoken_with_the_providers_audio) {
  const auto packets = reply_audio("erin");
  BOOST_REQUIRE_EQUAL(fake.speech().request_count(), 1u);
  const auto seen = fake.speech().last_request();
  BOOST_CHECK_EQUAL(seen.credential, "Bearer " + fake.api_key());
  // 24 kHz in 20 ms frames (480 samples), the last one padded.
  const auto samples = fakes::fake_speech_pcm(seen.text).size();
  BOOST_CHECK_EQUAL(packets.size(), (samples + 479) / 480);
  audio::opus_decoder dec;
  double energy = 0;
  for (const auto& p : packets) {
    auto d = dec.decode(p.opus);
    BOOST_REQUIRE_MESSAGE(d.ok(), d.error);
    for (auto s : d.pcm) energy += double(s) * s;
  }
  BOOST_CHECK_GT(std::sqrt(energy / (packets.size() * 960.0)), 1000.0);  // tones at 8000
  BOOST_CHECK(log.text().find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failing_provider_is_replaced_by_flite) {
  fake.speech().set_mode(fakes::fake_tts_mode::fail);
  const auto packets = reply_audio("frank");
  BOOST_CHECK_GE(fake.speech().request_count(), 1u);
  // flite's length, not the stand-in's.
  const auto samples = fakes::fake_speech_pcm(fake.speech().last_request().text).size();
  BOOST_CHECK_GT(packets.size(), 10u);
  BOOST_CHECK_NE(packets.size(), (samples + 479) / 480);
  const auto text = log.text();
  BOOST_CHECK(text.find("remote speech failed") != std::string::npos);
  BOOST_CHECK(text.find(fake.api_key()) == std::string::npos);
  // /health and the metrics say which provider failed and that flite served.
  const auto health = nlohmann::json::parse(test::get(url("/health")).body);
  BOOST_REQUIRE_EQUAL(health["providers"].size(), 1u);
  const auto& p = health["providers"][0];
  BOOST_CHECK_EQUAL(p["engine"], "tts");
  BOOST_CHECK_EQUAL(p["provider"], "openai");
  BOOST_CHECK_GE(p["failures"].get<int>(), 1);
  BOOST_CHECK_GE(p["fallbacks"].get<int>(), 1);
  BOOST_CHECK(p["last_failure"].get<std::string>().find("HTTP 500") != std::string::npos);
  const auto metrics = app.stats().serialize();
  BOOST_CHECK(
      metrics.find(R"(parley_provider_fallbacks_total{engine="tts",provider="openai"} 0)") ==
      std::string::npos);
  BOOST_CHECK(metrics.find(R"(parley_provider_fallbacks_total{engine="tts",provider="openai"})") !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_stalled_provider_is_given_up_and_flite_speaks_the_sentence) {
  fake.speech().set_mode(fakes::fake_tts_mode::stall);
  const auto packets = reply_audio("gail");
  // The stand-in's first chunk, then the whole sentence again from flite.
  BOOST_CHECK_GT(packets.size(), 10u);
  fake.speech().release_hangs();
  const auto health = nlohmann::json::parse(test::get(url("/health")).body);
  BOOST_CHECK_GE(health["providers"][0]["fallbacks"].get<int>(), 1);
}

BOOST_AUTO_TEST_SUITE_END()
