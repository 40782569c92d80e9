// PARLEY_STT=deepgram end to end against the stand-in for Deepgram's live
// API: the turn's audio streams to the provider while the user speaks, the
// turn's transcript is the provider's, a provider dying mid-utterance is
// replaced by pocketsphinx, and the key stays out of the log.

#include <boost/test/unit_test.hpp>
#include <optional>
#include <string>

#include "runtime/common/log.hpp"
#include "tests/fakes/deepgram/fake_deepgram.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

const char* const remote_transcript = "Go forward ten meters, heard by Deepgram.";

// The stand-in and a captured log, both made before the app.
struct deepgram_provider {
  fakes::fake_deepgram fake{"dg-voice-key-never-logged-41"};
  test::log_capture log;
  deepgram_provider() { fake.set_transcript(remote_transcript); }
  runtime::config cfg() {
    auto c = test::test_config(false);
    c.stt = "deepgram";
    c.stt_url = fake.base_url();
    c.stt_key = fake.api_key();
    c.stt_model = "nova-3";
    c.stt_ca_file = fake.ca_file();
    c.stt_timeout = 2000ms;
    c.level = runtime::log_level::debug;
    return c;
  }
};

struct stt_deepgram_fixture : deepgram_provider, test::app_fixture {
  stt_deepgram_fixture() : app_fixture(cfg()) {}

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

BOOST_FIXTURE_TEST_SUITE(deepgram_stt_end_to_end, stt_deepgram_fixture)

BOOST_AUTO_TEST_CASE(the_transcript_is_the_providers_and_the_audio_was_streamed) {
  BOOST_CHECK_EQUAL(final_transcript("erin"), remote_transcript);
  const auto connected = fake.wait_event("connected", 5s);
  BOOST_REQUIRE(connected.is_object());
  BOOST_CHECK_EQUAL(connected["authorization"], "Token " + fake.api_key());
  BOOST_CHECK_EQUAL(connected["query"]["model"], "nova-3");
  // Over a second of speech was with the provider when the turn ended.
  const auto finalize = fake.wait_event("finalize", 5s);
  BOOST_REQUIRE(finalize.is_object());
  BOOST_CHECK_GT(finalize["audio_bytes"].get<std::size_t>(), 32000u);
  BOOST_CHECK(log.text().find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_provider_dying_mid_utterance_is_replaced_by_pocketsphinx) {
  fake.set_mode("die", 20);
  BOOST_CHECK_EQUAL(final_transcript("frank"), "go forward ten meters");
  const auto text = log.text();
  BOOST_CHECK(text.find("deepgram stt: connection closed mid-utterance") != std::string::npos);
  BOOST_CHECK(text.find(fake.api_key()) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Deepgram's endpointing ends the turn: with a 4 s silence window and
// 100 ms endpointing, the turn ends long before the window would (3.5 s
// after the recording's last packet).
struct patient_fixture : deepgram_provider, test::app_fixture {
  patient_fixture() : app_fixture(patient()) {}
  runtime::config patient() {
    auto c = cfg();
    c.silence_window = 4000ms;
    c.stt_endpointing = 100ms;
    return c;
  }
};

BOOST_FIXTURE_TEST_CASE(the_providers_end_of_speech_ends_the_turn, patient_fixture) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("stt", "gina"));
  client::stream_paced(*c, test::goforward_packets(0ms), client::clock::now());
  const auto last_packet = client::clock::now();
  BOOST_REQUIRE(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "speech_ended"); }, 10s));
  const auto waited = client::clock::now() - last_packet;
  BOOST_TEST_MESSAGE("speech_ended "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                     << " ms after the last packet");
  BOOST_CHECK(waited < 2s);
}
