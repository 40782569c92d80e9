// fallback_tts: openai_tts over flite against the stand-in. The provider's
// audio when it works; flite's (brought to 24 kHz) when it fails before or
// during a sentence, within the limits, counted in the provider's status;
// the breaker and Retry-After keep calls off a failing provider; the key
// reaches neither the log nor the status.

#include "actors/tts/fallback_tts.hpp"

#include <boost/test/unit_test.hpp>

#include "actors/tts/flite_engine.hpp"
#include "actors/tts/openai_tts.hpp"
#include "tests/actors/tts/audio_checks.hpp"
#include "tests/actors/tts/remote_sink.hpp"
#include "tests/support/log_capture.hpp"

namespace parley::tts {
namespace {

using namespace std::chrono_literals;
using fakes::fake_tts_mode;
using test::remote_sink;

const std::string sentence = "The remote voice has a safety net.";

struct fixture {
  fakes::fake_openai_server server{"sk-fallback-secret-0a1b2c3d4e"};
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
  std::shared_ptr<http::provider_status> status;
  std::shared_ptr<flite_engine> flite = std::make_shared<flite_engine>();
  std::unique_ptr<fallback_tts_engine> engine;

  explicit fixture(http::on_failure policy = http::on_failure::fallback) {
    status = std::make_shared<http::provider_status>("tts", "openai", policy,
                                                     runtime::circuit_breaker::settings{3, 30s},
                                                     [this] { return now; });
    openai_tts_config c;
    c.base_url = server.base_url();
    c.api_key = server.api_key();
    c.limits = test::test_limits();
    engine = std::make_unique<fallback_tts_engine>(std::make_shared<openai_tts_engine>(c, status),
                                                   flite, status);
  }

  // flite's own length of the sentence, at 24 kHz.
  double flite_samples_at_24k() {
    return static_cast<double>(test::run(*flite, sentence).samples.size()) * 24000.0 /
           flite->sample_rate();
  }
};

bool near(double a, double b, double share) {
  return std::abs(a - b) <= share * b;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fallback_tts_remote)

BOOST_AUTO_TEST_CASE(a_working_provider_is_heard_and_counted) {
  fixture f;
  BOOST_TEST(f.engine->name() == "openai+flite");
  BOOST_TEST(f.engine->sample_rate() == 24000);
  remote_sink got;
  BOOST_TEST(f.engine->synthesize(sentence, got.sink()));
  BOOST_TEST(got.samples == fakes::fake_speech_pcm(sentence));
  const auto s = f.status->read();
  BOOST_TEST(s.calls == 1u);
  BOOST_TEST(s.failures == 0u);
  BOOST_TEST(s.fallbacks == 0u);
  BOOST_TEST(s.breaker == "closed");
}

BOOST_AUTO_TEST_CASE(failures_before_any_audio_are_spoken_by_flite_in_time) {
  for (auto mode : {fake_tts_mode::fail, fake_tts_mode::hang, fake_tts_mode::rate_limited}) {
    fixture f;
    const double expected = f.flite_samples_at_24k();
    f.server.speech().set_mode(mode);
    remote_sink got;
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(f.engine->synthesize(sentence, got.sink()));
    // The first-byte limit (300 ms) plus flite's time to speak.
    BOOST_TEST(test::ms_since(t0) < 2500);
    BOOST_TEST_MESSAGE("mode " << static_cast<int>(mode) << ": " << got.samples.size());
    BOOST_TEST(near(static_cast<double>(got.samples.size()), expected, 0.03));
    BOOST_TEST(test::voiced_share(got.samples, 24000) > 0.5);
    const auto s = f.status->read();
    BOOST_TEST(s.calls == 1u);
    BOOST_TEST(s.failures == 1u);
    BOOST_TEST(s.fallbacks == 1u);
    BOOST_TEST(!s.last_failure.empty());
  }
}

BOOST_AUTO_TEST_CASE(a_provider_dying_mid_sentence_is_followed_by_the_whole_sentence) {
  for (auto mode : {fake_tts_mode::stall, fake_tts_mode::truncated}) {
    fixture f;
    const double expected = f.flite_samples_at_24k();
    f.server.speech().set_mode(mode);
    remote_sink got;
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(f.engine->synthesize(sentence, got.sink()));
    BOOST_TEST(test::ms_since(t0) < 2500);
    // The provider's first chunk, then flite says all of it.
    const auto pcm = fakes::fake_speech_pcm(sentence);
    BOOST_REQUIRE(got.samples.size() > 2400u);
    BOOST_TEST(std::equal(got.samples.begin(), got.samples.begin() + 2400, pcm.begin()));
    BOOST_TEST(near(static_cast<double>(got.samples.size() - 2400), expected, 0.03));
    const auto s = f.status->read();
    BOOST_TEST(s.failures == 1u);
    BOOST_TEST(s.fallbacks == 1u);
  }
}

BOOST_AUTO_TEST_CASE(retry_after_holds_the_breaker_open_for_as_long) {
  fixture f;
  f.server.speech().set_mode(fake_tts_mode::rate_limited);
  remote_sink first;
  BOOST_TEST(f.engine->synthesize(sentence, first.sink()));
  BOOST_TEST(f.status->read().breaker == "open");
  BOOST_TEST(f.server.speech().request_count() == 1u);
  // Within the 7 s the provider asked for: flite, and no call.
  f.server.speech().set_mode(fake_tts_mode::normal);
  f.now += 6s;
  remote_sink second;
  BOOST_TEST(f.engine->synthesize(sentence, second.sink()));
  BOOST_TEST(f.server.speech().request_count() == 1u);
  BOOST_TEST(f.status->read().fallbacks == 2u);
  BOOST_TEST(f.status->read().calls == 1u);
  // Past it, one trial call, which closes the breaker.
  f.now += 2s;
  remote_sink third;
  BOOST_TEST(f.engine->synthesize(sentence, third.sink()));
  BOOST_TEST(f.server.speech().request_count() == 2u);
  BOOST_TEST(third.samples == fakes::fake_speech_pcm(sentence));
  BOOST_TEST(f.status->read().breaker == "closed");
}

BOOST_AUTO_TEST_CASE(an_open_breaker_keeps_calls_off_the_provider) {
  fixture f;
  f.server.speech().set_mode(fake_tts_mode::fail);
  for (int i = 0; i < 3; ++i) {
    remote_sink got;
    BOOST_TEST(f.engine->synthesize(sentence, got.sink()));
  }
  BOOST_TEST(f.status->read().breaker == "open");
  const auto calls = f.server.speech().request_count();
  remote_sink got;
  BOOST_TEST(f.engine->synthesize(sentence, got.sink()));
  BOOST_TEST(f.server.speech().request_count() == calls);
  BOOST_TEST(f.status->read().fallbacks == 4u);
}

BOOST_AUTO_TEST_CASE(apologise_fails_the_sentence_instead_of_speaking_with_flite) {
  fixture f(http::on_failure::apologise);
  f.server.speech().set_mode(fake_tts_mode::fail);
  remote_sink got;
  BOOST_TEST(!f.engine->synthesize(sentence, got.sink()));
  BOOST_TEST(got.samples.empty());
  BOOST_TEST(f.status->read().failures == 1u);
  BOOST_TEST(f.status->read().fallbacks == 0u);
  // An open breaker: no call, no audio either.
  f.status->breaker.hold_off(10s);
  BOOST_TEST(!f.engine->synthesize(sentence, got.sink()));
  BOOST_TEST(got.samples.empty());
}

BOOST_AUTO_TEST_CASE(barge_in_is_no_failure_and_no_fallback) {
  fixture f;
  f.server.speech().set_mode(fake_tts_mode::stall);
  remote_sink got;
  got.wanted = [](std::size_t samples) { return samples == 0; };
  BOOST_TEST(!f.engine->synthesize(sentence, got.sink()));
  BOOST_TEST(got.samples.size() == 2400u);
  const auto s = f.status->read();
  BOOST_TEST(s.failures == 0u);
  BOOST_TEST(s.fallbacks == 0u);
  BOOST_TEST(s.breaker == "closed");
}

BOOST_AUTO_TEST_CASE(the_key_reaches_neither_log_nor_status) {
  parley::test::log_capture log;
  fixture f;
  // A wrong key, which the careless stand-in quotes back in its 401.
  openai_tts_config c;
  c.base_url = f.server.base_url();
  c.api_key = "sk-live-should-never-be-seen-4242";
  c.limits = test::test_limits();
  f.server.speech().set_echo_key_in_errors(true);
  fallback_tts_engine engine(std::make_shared<openai_tts_engine>(c, f.status), f.flite, f.status);
  remote_sink got;
  BOOST_TEST(engine.synthesize(sentence, got.sink()));
  const std::string text = log.text();
  BOOST_TEST(text.find("remote speech failed") != std::string::npos);
  BOOST_TEST(text.find("HTTP 401") != std::string::npos);
  BOOST_TEST(text.find(c.api_key) == std::string::npos);
  BOOST_TEST(f.status->read().last_failure.find(c.api_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_a_status_the_engine_makes_its_own) {
  fakes::fake_openai_server server;
  openai_tts_config c;
  c.base_url = server.base_url();
  c.api_key = server.api_key();
  fallback_tts_engine engine(std::make_shared<openai_tts_engine>(c),
                             std::make_shared<flite_engine>());
  BOOST_REQUIRE(engine.status());
  BOOST_TEST(engine.status()->engine == "tts");
  BOOST_TEST(engine.status()->provider == "openai");
  remote_sink got;
  BOOST_TEST(engine.synthesize("Hi.", got.sink()));
  BOOST_TEST(engine.status()->calls.load() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
