#include "actors/stt/openai_stt.hpp"

#include "runtime/http/provider_error.hpp"
#include "tests/actors/stt/speech_samples.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>

namespace parley::stt {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_server;
using fakes::fake_stt_mode;

const std::string key = "sk-stt-test-5b1f0e7d9c3a";

openai_stt_config config_for(const fake_openai_server& server) {
  openai_stt_config c;
  c.base_url = server.base_url();
  c.api_key = server.api_key();
  c.model = "whisper-1";
  c.total_timeout = 500ms;
  return c;
}

// The message of what transcribing goforward throws ("" when nothing is thrown).
std::string failure_of(openai_stt_engine& engine) {
  const auto pcm = test::read_raw(test::goforward_path);
  auto rec = engine.make_recognizer();
  try {
    test::transcribe(*rec, pcm);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(openai_stt_suite)

BOOST_AUTO_TEST_CASE(wav_header_describes_16k_mono_pcm) {
  const int16_t pcm[] = {0, 1, -1, 32767};
  const std::string wav = wav_16k_mono(pcm, 4);
  BOOST_TEST(wav.size() == 44u + 8u);
  BOOST_TEST(wav.substr(0, 4) == "RIFF");
  BOOST_TEST(wav.substr(8, 8) == "WAVEfmt ");
  BOOST_TEST(wav.substr(36, 4) == "data");
  BOOST_TEST(static_cast<unsigned char>(wav[44 + 4]) == 0xFFu);  // -1, little-endian
  BOOST_TEST(static_cast<unsigned char>(wav[44 + 7]) == 0x7Fu);
}

BOOST_AUTO_TEST_CASE(returns_the_providers_text_for_an_uploaded_wav) {
  fake_openai_server server(key);
  server.set_transcript(" Go forward ten meters. ");
  auto cfg = config_for(server);
  cfg.language = "en";
  openai_stt_engine engine(cfg);
  const auto pcm = test::read_raw(test::goforward_path);
  auto rec = engine.make_recognizer();
  BOOST_TEST(test::transcribe(*rec, pcm) == "Go forward ten meters.");
  BOOST_TEST(server.transcription_count() == 1u);
  const auto seen = server.last_transcription();
  BOOST_TEST(seen.authorization == "Bearer " + key);
  BOOST_TEST(seen.model == "whisper-1");
  BOOST_TEST(seen.language == "en");
  BOOST_TEST(seen.response_format == "json");
  BOOST_TEST(seen.filename == "utterance.wav");
  BOOST_TEST(seen.content_type == "audio/wav");
  BOOST_TEST(seen.wav_samples == pcm.size());

  // The recognizer is ready for the next utterance; an empty one makes no call.
  BOOST_TEST(test::transcribe(*rec, pcm) == "Go forward ten meters.");
  rec->begin();
  BOOST_TEST(rec->finish().empty());
  BOOST_TEST(rec->finish().empty());  // without an open utterance
  BOOST_TEST(server.transcription_count() == 2u);
}

BOOST_AUTO_TEST_CASE(reset_discards_the_utterance_without_a_call) {
  fake_openai_server server(key);
  openai_stt_engine engine(config_for(server));
  const auto pcm = test::read_raw(test::goforward_path);
  auto rec = engine.make_recognizer();
  rec->begin();
  test::feed_chunks(*rec, pcm, 0, pcm.size());
  rec->reset();
  BOOST_TEST(rec->finish().empty());
  BOOST_TEST(server.transcription_count() == 0u);
}

BOOST_AUTO_TEST_CASE(errors_name_the_status_and_the_providers_message) {
  fake_openai_server server(key);
  openai_stt_engine engine(config_for(server));

  server.set_transcription_mode(fake_stt_mode::fail);
  std::string e = failure_of(engine);
  BOOST_TEST(e.find("openai stt: HTTP 500") == 0u, e);
  BOOST_TEST(e.find("The server had an error") != std::string::npos, e);

  server.set_transcription_mode(fake_stt_mode::rate_limited);
  e = failure_of(engine);
  BOOST_TEST(e.find("HTTP 429") != std::string::npos, e);
  BOOST_TEST(e.find("Rate limit reached") != std::string::npos, e);
  BOOST_TEST(e.find("retry after 7 s") != std::string::npos, e);

  server.set_transcription_mode(fake_stt_mode::hang);
  const auto t0 = std::chrono::steady_clock::now();
  e = failure_of(engine);
  BOOST_TEST(e.find("timed out") != std::string::npos, e);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 3s));
  server.release_hangs();
}

BOOST_AUTO_TEST_CASE(a_wrong_key_is_401_and_never_in_the_message) {
  fake_openai_server server(key);
  server.set_echo_key_in_errors(true);  // a careless provider quotes the key back
  auto cfg = config_for(server);
  cfg.api_key = "sk-wrong-key-that-must-stay-secret";
  openai_stt_engine engine(cfg);
  const std::string e = failure_of(engine);
  BOOST_TEST(e.find("HTTP 401") != std::string::npos, e);
  BOOST_TEST(e.find(cfg.api_key) == std::string::npos, e);
  BOOST_TEST(e.find("[redacted]") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(a_5xx_is_tried_again_within_the_deadline_and_counted) {
  fake_openai_server server(key);
  server.set_transcription_mode(fake_stt_mode::fail);
  auto cfg = config_for(server);
  cfg.total_timeout = 3s;
  cfg.retry = {3, 10ms, 40ms};
  auto status = std::make_shared<http::provider_status>("stt", "openai");
  openai_stt_engine engine(cfg, status);
  const auto pcm = test::read_raw(test::goforward_path);
  try {
    engine.transcribe(pcm.data(), pcm.size());
    BOOST_FAIL("a failing provider gave a transcript");
  } catch (const http::provider_error& e) {
    BOOST_TEST(std::string(e.what()).find("HTTP 500") != std::string::npos);
    BOOST_TEST(e.retryable());
  }
  BOOST_TEST(server.transcription_count() == 3u);  // the first call and two retries
  BOOST_TEST(status->retries == 2u);
}

BOOST_AUTO_TEST_CASE(a_429_past_the_deadline_is_not_retried_and_carries_retry_after) {
  fake_openai_server server(key);
  server.set_transcription_mode(fake_stt_mode::rate_limited);
  auto status = std::make_shared<http::provider_status>("stt", "openai");
  openai_stt_engine engine(config_for(server), status);
  const auto pcm = test::read_raw(test::goforward_path);
  try {
    engine.transcribe(pcm.data(), pcm.size());
    BOOST_FAIL("a rate-limited provider gave a transcript");
  } catch (const http::provider_error& e) {
    BOOST_REQUIRE(e.retry_after().has_value());
    BOOST_TEST(e.retry_after()->count() == 7000);
  }
  BOOST_TEST(server.transcription_count() == 1u);  // 7 s does not fit a 500 ms deadline
  BOOST_TEST(status->retries == 0u);
}

BOOST_AUTO_TEST_CASE(a_client_error_is_not_retried) {
  fake_openai_server server(key);
  auto cfg = config_for(server);
  cfg.api_key = "sk-wrong";
  cfg.total_timeout = 3s;
  openai_stt_engine engine(cfg);
  const auto pcm = test::read_raw(test::goforward_path);
  BOOST_CHECK_THROW(engine.transcribe(pcm.data(), pcm.size()), http::provider_error);
  BOOST_TEST(server.transcription_count() == 1u);
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_fails_fast) {
  openai_stt_config cfg;
  cfg.base_url = "http://127.0.0.1:1/v1";  // nothing listens on port 1
  cfg.api_key = key;
  cfg.retry.max_attempts = 1;
  openai_stt_engine engine(cfg);
  const std::string e = failure_of(engine);
  BOOST_TEST(
      e.find("openai stt: request to http://127.0.0.1:1/v1/audio/transcriptions failed") == 0u, e);
  BOOST_TEST(e.find(key) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
