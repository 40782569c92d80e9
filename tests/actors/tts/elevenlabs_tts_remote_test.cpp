// elevenlabs_tts against the stand-in: the request has ElevenLabs' shape (the
// voice in the path, pcm_24000, xi-api-key) and the streamed PCM reaches the
// sink as it arrives; ElevenLabs' error bodies become provider_errors.

#include "actors/tts/elevenlabs_tts.hpp"

#include <boost/test/unit_test.hpp>

#include "runtime/http/provider_error.hpp"
#include "tests/actors/tts/remote_sink.hpp"

namespace parley::tts {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_server;
using fakes::fake_tts_mode;
using test::remote_sink;

const std::string key = "sk_3c1d2e9f8a7b6c5d4e3f2a1b0c9d8e7f";
const std::string sentence = "Hello from the other remote voice.";

elevenlabs_tts_config config_for(const fake_openai_server& server) {
  elevenlabs_tts_config c;
  c.base_url = server.elevenlabs_base_url();
  c.api_key = server.api_key();
  c.limits = test::test_limits();
  return c;
}

std::optional<http::provider_error> error_of(elevenlabs_tts_engine& engine,
                                             const std::string& text) {
  remote_sink got;
  try {
    engine.synthesize(text, got.sink());
  } catch (const http::provider_error& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(elevenlabs_tts_remote)

BOOST_AUTO_TEST_CASE(the_stand_ins_pcm_reaches_the_sink_as_it_streams) {
  fake_openai_server server(key);
  server.speech().set_chunk_delay(20ms);
  elevenlabs_tts_engine engine(config_for(server));
  remote_sink got;
  BOOST_TEST(engine.synthesize(sentence, got.sink()));
  BOOST_TEST(got.samples == fakes::fake_speech_pcm(sentence));
  const auto last = server.speech().last_chunk_started();
  BOOST_REQUIRE(got.first_audio && last);
  BOOST_TEST((*got.first_audio < *last));
  const auto seen = server.speech().last_request();
  BOOST_TEST(seen.provider == "elevenlabs");
  BOOST_TEST(seen.credential == key);
  BOOST_TEST(seen.voice == "21m00Tcm4TlvDq8ikWAM");
  BOOST_TEST(seen.format == "pcm_24000");
  BOOST_TEST(seen.model == "eleven_flash_v2_5");
  BOOST_TEST(seen.text == sentence);
}

BOOST_AUTO_TEST_CASE(a_bad_key_is_a_final_401_with_elevenlabs_message) {
  fake_openai_server server(key);
  auto cfg = config_for(server);
  cfg.api_key = "sk_not_the_right_one_42";
  elevenlabs_tts_engine engine(cfg);
  const auto e = error_of(engine, sentence);
  BOOST_REQUIRE(e);
  BOOST_TEST(!e->retryable());
  const std::string what = e->what();
  BOOST_TEST(what.find("elevenlabs tts: HTTP 401") == 0u);
  BOOST_TEST(what.find("Invalid API key") != std::string::npos);
  BOOST_TEST(what.find(cfg.api_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_body_is_a_final_422_with_the_validation_message) {
  fake_openai_server server(key);
  elevenlabs_tts_engine engine(config_for(server));
  const auto e = error_of(engine, "");
  BOOST_REQUIRE(e);
  BOOST_TEST(!e->retryable());
  BOOST_TEST(std::string(e->what()).find("HTTP 422") != std::string::npos);
  BOOST_TEST(std::string(e->what()).find("Field required") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_voice_id_is_escaped_into_the_path) {
  fake_openai_server server(key);
  auto cfg = config_for(server);
  cfg.voice = "my voice";
  elevenlabs_tts_engine engine(cfg);
  remote_sink got;
  BOOST_TEST(engine.synthesize("Hi.", got.sink()));
  // Sent as my%20voice (a bare space would break the request line); the server decodes it.
  BOOST_TEST(server.speech().last_request().voice == "my voice");
}

BOOST_AUTO_TEST_CASE(a_500_and_a_429_are_retryable_with_retry_after) {
  fake_openai_server server(key);
  elevenlabs_tts_engine engine(config_for(server));
  server.speech().set_mode(fake_tts_mode::fail);
  auto e = error_of(engine, sentence);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->retryable());
  BOOST_TEST(std::string(e->what()).find("An internal error occurred") != std::string::npos);
  server.speech().set_mode(fake_tts_mode::rate_limited);
  e = error_of(engine, sentence);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->retryable());
  BOOST_REQUIRE(e->retry_after());
  BOOST_TEST(e->retry_after()->count() == 7000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
