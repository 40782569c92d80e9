#include "actors/stt/fallback_stt.hpp"
#include "tests/support/log_capture.hpp"

#include "actors/stt/openai_stt.hpp"
#include "actors/stt/pocketsphinx_engine.hpp"
#include "actors/stt/recognizer_pool.hpp"
#include "runtime/common/log.hpp"
#include "runtime/http/provider_error.hpp"
#include "tests/actors/stt/speech_samples.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace parley::stt {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_server;
using fakes::fake_stt_mode;
using state = runtime::circuit_breaker::state;

const std::string key = "sk-fallback-test-8e2d4c6a0b";
const std::string remote_text = "Go forward ten meters, says the provider.";

using parley::test::log_capture;

// The fake provider, and a fallback engine in front of it with pocketsphinx behind, on a clock
// the test moves.
struct rig {
  fake_openai_server server{key};
  std::chrono::steady_clock::time_point now{};
  std::shared_ptr<fallback_engine> engine;
  std::unique_ptr<recognizer> rec;
  std::vector<int16_t> pcm = test::read_raw(test::goforward_path);

  explicit rig(std::string api_key = key, http::on_failure policy = http::on_failure::fallback) {
    server.set_transcript(remote_text);
    openai_stt_config cfg;
    cfg.base_url = server.base_url();
    cfg.api_key = std::move(api_key);
    cfg.total_timeout = 300ms;
    cfg.retry.max_attempts = 1;  // one call per utterance: the counts below are calls
    auto status = std::make_shared<http::provider_status>(
        "stt", "openai", policy, runtime::circuit_breaker::settings{3, 30s},
        [this] { return now; });
    const bool fall_back = policy == http::on_failure::fallback;
    engine = std::make_shared<fallback_engine>(
        std::make_shared<openai_stt_engine>(cfg, status),
        fall_back ? std::make_shared<pocketsphinx_engine>() : nullptr, status);
    rec = engine->make_recognizer();
  }
  std::string say() { return test::transcribe(*rec, pcm); }
  const http::provider_status& status() const { return *engine->status(); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fallback_stt_suite)

BOOST_AUTO_TEST_CASE(the_providers_text_when_it_answers) {
  rig r;
  BOOST_TEST(r.engine->name() == "openai+pocketsphinx");
  BOOST_TEST(r.say() == remote_text);
  BOOST_TEST(r.server.last_transcription().authorization == "Bearer " + key);
  BOOST_TEST(r.server.last_transcription().wav_samples == r.pcm.size());
  BOOST_TEST(r.status().provider == "openai");
  BOOST_TEST(r.status().failures == 0u);
  BOOST_TEST(r.status().fallbacks == 0u);
  // Partials come from the embedded recognizer while the user speaks.
  r.rec->begin();
  test::feed_chunks(*r.rec, r.pcm, 0, r.pcm.size());
  BOOST_TEST(!r.rec->partial().empty());
  r.rec->reset();
  BOOST_TEST(r.server.transcription_count() == 1u);
  // An empty utterance asks nobody.
  r.rec->begin();
  BOOST_TEST(r.rec->finish().empty());
  BOOST_TEST(r.server.transcription_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failing_provider_falls_back_to_pocketsphinx_and_is_counted) {
  rig r;
  log_capture logs;
  r.server.set_transcription_mode(fake_stt_mode::fail);
  BOOST_TEST(r.say() == test::goforward_text);
  BOOST_TEST(r.status().failures == 1u);
  BOOST_TEST(r.status().fallbacks == 1u);
  const std::string lines = logs.text();
  BOOST_TEST(lines.find("remote speech recognition unavailable") != std::string::npos, lines);
  BOOST_TEST(r.status().read().last_failure.find("HTTP 500") != std::string::npos);
  BOOST_TEST(lines.find("HTTP 500") != std::string::npos, lines);
  BOOST_TEST(lines.find(key) == std::string::npos, lines);

  r.server.set_transcription_mode(fake_stt_mode::hang);
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(r.say() == test::goforward_text);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 3s));
  BOOST_TEST(r.status().failures == 2u);
  BOOST_TEST(logs.text().find("timed out") != std::string::npos);
  r.server.release_hangs();
}

BOOST_AUTO_TEST_CASE(an_open_breaker_skips_the_provider_until_the_cooldown) {
  rig r;
  log_capture logs;
  r.server.set_transcription_mode(fake_stt_mode::fail);
  for (int i = 0; i < 3; ++i) BOOST_TEST(r.say() == test::goforward_text);
  BOOST_TEST(r.server.transcription_count() == 3u);
  BOOST_TEST((r.status().breaker.current() == state::open));

  r.server.set_transcription_mode(fake_stt_mode::normal);
  r.now += 29s;
  BOOST_TEST(r.say() == test::goforward_text);
  BOOST_TEST(r.server.transcription_count() == 3u);  // not called while open
  BOOST_TEST(r.status().failures == 3u);
  BOOST_TEST(r.status().fallbacks == 4u);
  BOOST_TEST(r.status().calls == 3u);

  r.now += 1s;
  r.rec->begin();  // an empty utterance spends no trial call and gives no verdict
  BOOST_TEST(r.rec->finish().empty());
  BOOST_TEST((r.status().breaker.current() == state::open));
  r.now -= 1s;

  r.now += 1s;
  BOOST_TEST(r.say() == remote_text);  // the trial call, which closes it
  BOOST_TEST(r.server.transcription_count() == 4u);
  BOOST_TEST((r.status().breaker.current() == state::closed));
  BOOST_TEST(r.say() == remote_text);
  BOOST_TEST(r.status().fallbacks == 4u);
}

BOOST_AUTO_TEST_CASE(a_429_holds_the_provider_off_for_its_retry_after) {
  rig r;
  r.server.set_transcription_mode(fake_stt_mode::rate_limited);
  BOOST_TEST(r.say() == test::goforward_text);
  // One 429 is enough: the provider said when to come back (7 s).
  BOOST_TEST((r.status().breaker.current() == state::open));
  r.server.set_transcription_mode(fake_stt_mode::normal);
  r.now += 6s;
  BOOST_TEST(r.say() == test::goforward_text);
  BOOST_TEST(r.server.transcription_count() == 1u);
  r.now += 1s;
  BOOST_TEST(r.say() == remote_text);
  BOOST_TEST(r.server.transcription_count() == 2u);
}

BOOST_AUTO_TEST_CASE(apologise_means_no_fallback_the_failure_is_the_turns) {
  rig r(key, http::on_failure::apologise);
  BOOST_TEST(r.engine->name() == "openai");
  BOOST_TEST(r.say() == remote_text);
  r.server.set_transcription_mode(fake_stt_mode::fail);
  try {
    r.say();
    BOOST_FAIL("a failing provider without a fallback gave a transcript");
  } catch (const http::provider_error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("no fallback configured") != std::string::npos, what);
    BOOST_TEST(what.find("HTTP 500") != std::string::npos, what);
  }
  BOOST_TEST(r.status().failures == 1u);
  BOOST_TEST(r.status().fallbacks == 0u);
}

BOOST_AUTO_TEST_CASE(the_key_never_reaches_a_log_line) {
  // A wrong key that a careless provider quotes back in its 401; no log secret is registered,
  // so only the client's own redaction keeps it out.
  const std::string wrong = "sk-wrong-0123456789-secret";
  rig r(wrong);
  r.server.set_echo_key_in_errors(true);
  log_capture logs;
  BOOST_TEST(r.say() == test::goforward_text);
  const std::string lines = logs.text();
  BOOST_TEST(lines.find("HTTP 401") != std::string::npos, lines);
  BOOST_TEST(lines.find(wrong) == std::string::npos, lines);
  BOOST_TEST(lines.find(key) == std::string::npos, lines);
}

BOOST_AUTO_TEST_CASE(a_pool_lends_fallback_recognizers) {
  rig r;
  recognizer_pool pool(*r.engine, 1);
  auto lease = pool.acquire(1s);
  BOOST_REQUIRE(lease.has_value());
  BOOST_TEST(test::transcribe(lease->get(), r.pcm) == remote_text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
