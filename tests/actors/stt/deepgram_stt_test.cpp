// The Deepgram live recognizer against the stand-in (tests/fakes/deepgram):
// audio streams while the user speaks, interims surface, the final text is
// the provider's, and every failure (refused, dropped, stalled) is an
// http::provider_error without the key, which the fallback turns into
// pocketsphinx's text within the deadline.

#include "actors/stt/deepgram_stt.hpp"
#include "actors/stt/fallback_stt.hpp"
#include "actors/stt/pocketsphinx_engine.hpp"
#include "runtime/http/provider_error.hpp"

#include "tests/actors/stt/speech_samples.hpp"
#include "tests/fakes/deepgram/fake_deepgram.hpp"
#include "tests/support/log_capture.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

namespace parley::stt {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const std::string key = "dg-key-never-in-a-log-3c9e51";
const std::string said = "Go forward ten meters.";

struct deepgram_fixture {
  fakes::fake_deepgram fake{key};
  deepgram_fixture() { fake.set_transcript(said); }

  deepgram_stt_config config(std::chrono::milliseconds timeout = 2000ms) const {
    deepgram_stt_config c;
    c.base_url = fake.base_url();
    c.api_key = key;
    c.language = "en-US";
    c.ca_file = fake.ca_file();
    c.timeout = timeout;
    return c;
  }
};

// The recognizer's answers come from another thread: ask until `done` or 10 s.
bool eventually(const std::function<bool()>& done) {
  const auto until = clock_type::now() + 10s;
  while (!done()) {
    if (clock_type::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A second of a loud tone, then `silence_ms` of nothing: speech to the fake's energy check.
std::vector<int16_t> tone_then_silence(int silence_ms) {
  std::vector<int16_t> pcm(16000 + 16 * static_cast<std::size_t>(silence_ms), 0);
  for (std::size_t i = 0; i < 16000; ++i)
    pcm[i] = static_cast<int16_t>(3000 * std::sin(static_cast<double>(i) / 5));
  return pcm;
}

std::string failure_of(recognizer& rec, const std::vector<int16_t>& pcm) {
  try {
    test::transcribe(rec, pcm);
  } catch (const http::provider_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(deepgram_stt_suite, deepgram_fixture)

BOOST_AUTO_TEST_CASE(the_listen_url_asks_for_16k_linear16_with_interims_and_endpointing) {
  deepgram_stt_config c;
  c.base_url = "wss://api.deepgram.com/v1/";
  c.language = "en US";
  c.endpointing = 250ms;
  BOOST_TEST(deepgram_listen_url(c) ==
             "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000&channels=1"
             "&interim_results=true&smart_format=true&endpointing=250&model=nova-3"
             "&language=en%20US");
}

BOOST_AUTO_TEST_CASE(streams_while_spoken_and_returns_the_providers_text) {
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  const auto pcm = test::read_raw(test::goforward_path);
  rec->begin();
  test::feed_chunks(*rec, pcm, 0, pcm.size());
  // Interims arrive while the audio streams: the first words before the end.
  BOOST_TEST(eventually([&] { return !rec->partial().empty(); }));
  const auto t0 = clock_type::now();
  BOOST_TEST(rec->finish() == said);
  BOOST_TEST_MESSAGE("finish took " << (clock_type::now() - t0) / 1ms << " ms");
  // All the audio was with the provider before the Finalize: nothing left to upload.
  const auto finalize = fake.wait_event("finalize", 5s);
  BOOST_TEST(finalize["audio_bytes"].get<std::size_t>() == pcm.size() * 2);
  const auto connected = fake.wait_event("connected", 5s);
  BOOST_TEST(connected["authorization"] == "Token " + key);
  BOOST_TEST(connected["query"]["encoding"] == "linear16");
  BOOST_TEST(connected["query"]["sample_rate"] == "16000");
  BOOST_TEST(connected["query"]["model"] == "nova-3");
  BOOST_TEST(connected["query"]["language"] == "en-US");
  BOOST_TEST(connected["query"]["interim_results"] == "true");
  // CloseStream after the text: the provider closes the stream normally.
  BOOST_TEST(fake.wait_event("closestream", 5s).is_object());
  BOOST_TEST(fake.wait_event("closed", 5s)["code"] == 1000);
}

BOOST_AUTO_TEST_CASE(interims_grow_word_by_word) {
  fake.set_transcript("one two three four five six");
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  const auto pcm = tone_then_silence(0);
  rec->begin();
  test::feed_chunks(*rec, pcm, 0, pcm.size() / 2);
  BOOST_TEST(eventually([&] { return rec->partial() == "one two"; }));
  test::feed_chunks(*rec, pcm, pcm.size() / 2, pcm.size());
  BOOST_TEST(eventually([&] { return rec->partial() == "one two three four"; }));
  BOOST_TEST(!rec->heard_end_of_speech());
  BOOST_TEST(rec->finish() == "one two three four five six");
}

BOOST_AUTO_TEST_CASE(speech_final_covering_the_audio_ends_the_utterance_without_a_flush) {
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  const auto pcm = tone_then_silence(300);  // exactly the endpointing window
  rec->begin();
  test::feed_chunks(*rec, pcm, 0, pcm.size());
  BOOST_TEST(eventually([&] { return rec->heard_end_of_speech(); }));
  // The fake answers Finalize only when audio is left to flush; none is.
  BOOST_TEST(rec->finish() == said);
}

BOOST_AUTO_TEST_CASE(nothing_fed_is_an_empty_text_without_a_finalize) {
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  rec->begin();
  BOOST_TEST(rec->finish().empty());
  BOOST_TEST(rec->finish().empty());  // no open utterance
  BOOST_TEST(fake.wait_event("finalize", 300ms).is_null());
}

BOOST_AUTO_TEST_CASE(reset_closes_at_once_and_the_next_utterance_works) {
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  const auto pcm = test::read_raw(test::goforward_path);
  rec->begin();
  BOOST_TEST(fake.wait_event("connected", 5s).is_object());
  test::feed_chunks(*rec, pcm, 0, pcm.size() / 2);
  rec->reset();
  BOOST_TEST(fake.wait_event("closed", 5s).is_object());
  BOOST_TEST(test::transcribe(*rec, pcm) == said);
}

BOOST_AUTO_TEST_CASE(a_refused_handshake_is_a_provider_error_without_the_key) {
  fake.set_mode("refuse");
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  const auto why = failure_of(*rec, test::read_raw(test::goforward_path));
  BOOST_TEST(why.find("deepgram stt:") == 0u, why);
  BOOST_TEST(why.find("HTTP 401") != std::string::npos, why);
  BOOST_TEST(why.find(key) == std::string::npos);
}

// Audio fed after the refusal reached the client is still speech the user
// said: the refusal must surface, not read as an empty utterance.
BOOST_AUTO_TEST_CASE(audio_fed_after_a_refusal_is_a_provider_error_not_silence) {
  fake.set_mode("refuse");
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  rec->begin();
  BOOST_TEST(fake.wait_event("refused", 5s)["status"] == 401);
  const auto pcm = test::read_raw(test::goforward_path);
  test::feed_chunks(*rec, pcm, 0, pcm.size());
  BOOST_CHECK_THROW(rec->finish(), http::provider_error);
}

BOOST_AUTO_TEST_CASE(a_wrong_key_is_refused) {
  auto c = config();
  c.api_key = "not-the-key";
  deepgram_stt_engine engine(c);
  auto rec = engine.make_recognizer();
  BOOST_CHECK_THROW(test::transcribe(*rec, test::read_raw(test::goforward_path)),
                    http::provider_error);
  BOOST_TEST(fake.wait_event("refused", 5s)["status"] == 401);
}

BOOST_AUTO_TEST_CASE(a_stream_closed_mid_utterance_is_a_provider_error) {
  fake.set_mode("die", 10);
  deepgram_stt_engine engine(config());
  auto rec = engine.make_recognizer();
  const auto why = failure_of(*rec, test::read_raw(test::goforward_path));
  BOOST_TEST(why.find("closed mid-utterance: 1011") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(no_final_result_in_time_is_a_provider_error) {
  fake.set_mode("stall");
  deepgram_stt_engine engine(config(400ms));
  auto rec = engine.make_recognizer();
  const auto t0 = clock_type::now();
  const auto why = failure_of(*rec, test::read_raw(test::goforward_path));
  BOOST_TEST(why.find("no final result within 400 ms") != std::string::npos, why);
  BOOST_CHECK(clock_type::now() - t0 < 3s);
}

BOOST_AUTO_TEST_CASE(every_failure_falls_back_to_pocketsphinx_in_time_and_logs_no_key) {
  parley::test::log_capture log;
  pocketsphinx_config ps;
  auto embedded = std::make_shared<pocketsphinx_engine>(ps);
  fallback_engine engine(std::make_shared<deepgram_stt_engine>(config(500ms)), embedded);
  const auto pcm = test::read_raw(test::goforward_path);
  for (const auto& [mode, after] : {std::pair{"refuse", 0}, {"die", 10}, {"stall", 0}}) {
    BOOST_TEST_CONTEXT(mode) {
      fake.set_mode(mode, after);
      auto rec = engine.make_recognizer();
      rec->begin();
      test::feed_chunks(*rec, pcm, 0, pcm.size());
      const auto t0 = clock_type::now();
      BOOST_TEST(rec->finish() == test::goforward_text);
      BOOST_CHECK(clock_type::now() - t0 < 2s);
    }
  }
  const auto text = log.text();
  BOOST_TEST(text.find("deepgram stt: connection closed mid-utterance") != std::string::npos);
  BOOST_TEST(text.find(key) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
