// openai_tts against the stand-in: the stand-in's PCM reaches the sink as it
// streams, and every way the provider can fail becomes a provider_error that
// says whether a retry is safe, within the limits, without the key.

#include "actors/tts/openai_tts.hpp"

#include <boost/test/unit_test.hpp>

#include "runtime/http/provider_error.hpp"
#include "tests/actors/tts/remote_sink.hpp"

namespace parley::tts {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_server;
using fakes::fake_tts_mode;
using test::remote_sink;

const std::string key = "sk-tts-test-9f8e7d6c5b4a";
const std::string sentence = "Hello there, this is the remote voice.";

openai_tts_config config_for(const fake_openai_server& server) {
  openai_tts_config c;
  c.base_url = server.base_url();
  c.api_key = server.api_key();
  c.limits = test::test_limits();
  return c;
}

// What synthesizing throws, with the sink's record and how long it took.
struct failure {
  std::optional<http::provider_error> error;
  remote_sink got;
  double ms = 0;
};

failure fail_with(openai_tts_engine& engine) {
  failure f;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    engine.synthesize(sentence, f.got.sink());
  } catch (const http::provider_error& e) {
    f.error = e;
  }
  f.ms = test::ms_since(t0);
  return f;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(openai_tts_remote)

BOOST_AUTO_TEST_CASE(the_stand_ins_pcm_reaches_the_sink_as_it_streams) {
  fake_openai_server server(key);
  server.speech().set_chunk_delay(20ms);
  openai_tts_engine engine(config_for(server));
  BOOST_TEST(engine.sample_rate() == 24000);
  remote_sink got;
  BOOST_TEST(engine.synthesize(sentence, got.sink()));
  BOOST_TEST(got.samples == fakes::fake_speech_pcm(sentence));
  // Audio went on while the provider was still speaking.
  const auto last = server.speech().last_chunk_started();
  BOOST_REQUIRE(got.first_audio && last);
  BOOST_TEST((*got.first_audio < *last));
  const auto seen = server.speech().last_request();
  BOOST_TEST(seen.provider == "openai");
  BOOST_TEST(seen.credential == "Bearer " + key);
  BOOST_TEST(seen.text == sentence);
  BOOST_TEST(seen.model == "gpt-4o-mini-tts");
  BOOST_TEST(seen.voice == "alloy");
  BOOST_TEST(seen.format == "pcm");
}

BOOST_AUTO_TEST_CASE(the_next_sentence_reuses_the_connection) {
  fake_openai_server server(key);
  openai_tts_engine engine(config_for(server));
  remote_sink a, b;
  BOOST_TEST(engine.synthesize("One.", a.sink()));
  const int port = server.speech().last_remote_port();
  BOOST_TEST(engine.synthesize("Two.", b.sink()));
  BOOST_TEST(server.speech().last_remote_port() == port);
  BOOST_TEST(b.samples == fakes::fake_speech_pcm("Two."));
}

BOOST_AUTO_TEST_CASE(a_5xx_is_retried_and_then_reported_as_retryable) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::fail);
  auto status = std::make_shared<http::provider_status>("tts", "openai");
  openai_tts_engine engine(config_for(server), status);
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(f.error->retryable());
  BOOST_TEST(std::string(f.error->what()).find("HTTP 500") != std::string::npos);
  BOOST_TEST(std::string(f.error->what()).find("processing your request") != std::string::npos);
  BOOST_TEST(server.speech().request_count() >= 2u);  // retried within the first-byte limit
  BOOST_TEST(status->retries.load() == server.speech().request_count() - 1);
  BOOST_TEST(f.got.samples.empty());
}

BOOST_AUTO_TEST_CASE(a_429_carries_retry_after_and_is_not_waited_for) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::rate_limited);
  openai_tts_engine engine(config_for(server));
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(f.error->retryable());
  BOOST_REQUIRE(f.error->retry_after());
  BOOST_TEST(f.error->retry_after()->count() == 7000);
  // Seven seconds is past the first-byte limit: no second call.
  BOOST_TEST(server.speech().request_count() == 1u);
  BOOST_TEST(f.ms < 1000);
}

BOOST_AUTO_TEST_CASE(a_provider_that_never_answers_is_given_up_at_the_first_byte_limit) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::hang);
  openai_tts_engine engine(config_for(server));
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(!f.error->retryable());
  BOOST_TEST(std::string(f.error->what()).find("no answer within 300 ms") != std::string::npos);
  BOOST_TEST(f.ms >= 290);
  BOOST_TEST(f.ms < 1000);
  BOOST_TEST(f.got.polls > 0u);  // the sink was asked while nothing came
}

BOOST_AUTO_TEST_CASE(a_stall_mid_answer_fails_after_the_stall_limit_not_retryable) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::stall);
  openai_tts_engine engine(config_for(server));
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(!f.error->retryable());  // audio went out: a repeat would say it twice
  BOOST_TEST(std::string(f.error->what()).find("stalled") != std::string::npos);
  BOOST_TEST(f.got.samples.size() == 2400u);  // the first chunk's 4801 bytes, less the odd one
  BOOST_TEST(f.ms < 1000);
  BOOST_TEST(server.speech().request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_truncated_answer_is_a_non_retryable_error) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::truncated);
  openai_tts_engine engine(config_for(server));
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(!f.error->retryable());
  BOOST_TEST(std::string(f.error->what()).find("broke off") != std::string::npos);
  BOOST_TEST(f.got.samples.size() == 2400u);
  const auto pcm = fakes::fake_speech_pcm(sentence);
  BOOST_TEST(std::equal(f.got.samples.begin(), f.got.samples.end(), pcm.begin()));
}

BOOST_AUTO_TEST_CASE(barge_in_closes_a_stalled_transfer_promptly) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::stall);
  auto cfg = config_for(server);
  cfg.limits.stall = 5000ms;  // only the cancel can end it early
  openai_tts_engine engine(cfg);
  remote_sink got;
  // The listener speaks up once the first chunk has been heard.
  got.wanted = [](std::size_t samples) { return samples == 0; };
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(!engine.synthesize(sentence, got.sink()));
  BOOST_TEST(test::ms_since(t0) < 1000);
  BOOST_REQUIRE(got.cancelled_at);
  BOOST_TEST(got.samples.size() == 2400u);
  // The stand-in, let go, finds the connection closed at its next writes.
  server.speech().release_hangs();
  BOOST_TEST(server.speech().client_hung_up(3s).has_value());
}

BOOST_AUTO_TEST_CASE(barge_in_before_the_first_byte_ends_the_wait) {
  fake_openai_server server(key);
  server.speech().set_mode(fake_tts_mode::hang);
  auto cfg = config_for(server);
  cfg.limits.first_byte = 5000ms;
  openai_tts_engine engine(cfg);
  remote_sink got;
  got.wanted = [&got](std::size_t) { return got.polls < 3; };
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(!engine.synthesize(sentence, got.sink()));  // no error: nobody is listening
  BOOST_TEST(test::ms_since(t0) < 1000);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_retryable) {
  int port = 0;
  {
    fake_openai_server gone(key);
    port = gone.port();
  }
  openai_tts_config cfg;
  cfg.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  cfg.api_key = key;
  cfg.limits = test::test_limits();
  openai_tts_engine engine(cfg);
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(f.error->retryable());
  BOOST_TEST(std::string(f.error->what()).find("request failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_key_sends_no_authorization_and_a_401_is_final) {
  fake_openai_server server(key);
  auto cfg = config_for(server);
  cfg.api_key.clear();
  openai_tts_engine engine(cfg);
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  BOOST_TEST(!f.error->retryable());
  BOOST_TEST(std::string(f.error->what()).find("HTTP 401") != std::string::npos);
  BOOST_TEST(server.speech().request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_key_echoed_by_the_provider_is_redacted) {
  fake_openai_server server(key);
  server.speech().set_echo_key_in_errors(true);
  auto cfg = config_for(server);
  cfg.api_key = "sk-wrong-and-secret-31337";
  openai_tts_engine engine(cfg);
  const auto f = fail_with(engine);
  BOOST_REQUIRE(f.error);
  const std::string what = f.error->what();
  BOOST_TEST(what.find(cfg.api_key) == std::string::npos);
  BOOST_TEST(what.find("[redacted]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(what_the_sink_throws_propagates) {
  fake_openai_server server(key);
  openai_tts_engine engine(config_for(server));
  BOOST_CHECK_THROW(engine.synthesize(sentence,
                                      [](const int16_t*, std::size_t n) -> bool {
                                        if (n > 0) throw std::logic_error("sink broke");
                                        return true;
                                      }),
                    std::logic_error);
  // The engine is fine afterwards.
  remote_sink got;
  BOOST_TEST(engine.synthesize("Again.", got.sink()));
  BOOST_TEST(got.samples == fakes::fake_speech_pcm("Again."));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
