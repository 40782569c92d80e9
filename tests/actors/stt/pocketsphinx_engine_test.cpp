#include "actors/stt/pocketsphinx_engine.hpp"

#include "tests/actors/stt/speech_samples.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace parley::stt {
namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

pocketsphinx_config with_fast_finish(bool fast) {
  pocketsphinx_config config;
  config.fast_finish = fast;
  return config;
}

// Transcribes goforward.raw in 20 ms chunks and reports what the brief asks to measure.
void check_goforward(bool fast) {
  pocketsphinx_engine engine(with_fast_finish(fast));
  const auto pcm = test::read_raw(test::goforward_path);
  const double audio_ms = pcm.size() * 1000.0 / 16000.0;

  const auto init_start = clock_type::now();
  auto rec = engine.make_recognizer();
  const double init_ms = ms_since(init_start);

  rec->begin();
  std::size_t chunks_with_partial = 0;
  const auto feed_start = clock_type::now();
  for (std::size_t at = 0; at < pcm.size(); at += test::samples_per_chunk) {
    test::feed_chunks(*rec, pcm, at, std::min(at + test::samples_per_chunk, pcm.size()));
    if (!rec->partial().empty()) ++chunks_with_partial;
  }
  const double feed_ms = ms_since(feed_start);
  const auto finish_start = clock_type::now();
  const std::string text = rec->finish();
  const double finish_ms = ms_since(finish_start);

  BOOST_TEST(text == test::goforward_text);
  BOOST_TEST(chunks_with_partial > 0u);  // partials arrive while the user speaks
  BOOST_TEST_MESSAGE("pocketsphinx fast_finish=" << fast << ": init " << init_ms << " ms, finish "
                                                 << finish_ms << " ms, RTF (feed+partial) "
                                                 << (feed_ms + finish_ms) / audio_ms);

  // finish() readied it for the next utterance: the same audio gives the same text.
  BOOST_TEST(test::transcribe(*rec, pcm) == test::goforward_text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pocketsphinx_engine_suite)

BOOST_AUTO_TEST_CASE(goforward_in_20ms_chunks_fast_finish) {
  check_goforward(true);
}

BOOST_AUTO_TEST_CASE(goforward_in_20ms_chunks_full_search) {
  check_goforward(false);
}

BOOST_AUTO_TEST_CASE(default_configuration_is_fast_finish) {
  BOOST_TEST(pocketsphinx_config{}.fast_finish);
}

BOOST_AUTO_TEST_CASE(partial_grows_before_finish) {
  pocketsphinx_engine engine;
  auto rec = engine.make_recognizer();
  const auto pcm = test::read_raw(test::goforward_path);
  rec->begin();
  BOOST_TEST(rec->partial().empty());
  test::feed_chunks(*rec, pcm, 0, pcm.size() * 3 / 4);
  const std::string midway = rec->partial();
  BOOST_TEST(!midway.empty());
  BOOST_TEST(std::string(test::goforward_text).rfind(midway.substr(0, 2), 0) == 0u);
  test::feed_chunks(*rec, pcm, pcm.size() * 3 / 4, pcm.size());
  BOOST_TEST(rec->finish() == test::goforward_text);
}

BOOST_AUTO_TEST_CASE(finish_without_begin_is_empty) {
  pocketsphinx_engine engine;
  auto rec = engine.make_recognizer();
  BOOST_TEST(rec->finish().empty());
  BOOST_TEST(rec->partial().empty());
}

BOOST_AUTO_TEST_CASE(begin_discards_an_open_utterance) {
  pocketsphinx_engine engine;
  auto rec = engine.make_recognizer();
  const auto pcm = test::read_raw(test::goforward_path);
  rec->begin();
  test::feed_chunks(*rec, pcm, 0, pcm.size() / 2);
  BOOST_TEST(test::transcribe(*rec, pcm) == test::goforward_text);
}

BOOST_AUTO_TEST_CASE(two_recognizers_in_two_threads_agree) {
  pocketsphinx_engine engine;
  auto first = engine.make_recognizer();
  auto second = engine.make_recognizer();
  const auto pcm = test::read_raw(test::goforward_path);
  std::string text_first;
  std::string text_second;
  const auto start = clock_type::now();
  std::thread other([&] {
    for (int i = 0; i < 3; ++i) text_second += test::transcribe(*second, pcm) + "|";
  });
  for (int i = 0; i < 3; ++i) text_first += test::transcribe(*first, pcm) + "|";
  other.join();
  const double audio_ms = 6 * pcm.size() * 1000.0 / 16000.0;
  BOOST_TEST(text_first == text_second);
  const std::string expected = std::string(test::goforward_text) + "|";
  BOOST_TEST(text_first == expected + expected + expected);
  BOOST_TEST_MESSAGE("pocketsphinx 2 threads: aggregate RTF " << ms_since(start) / audio_ms);
}

BOOST_AUTO_TEST_CASE(missing_model_throws) {
  pocketsphinx_config config;
  config.model_dir = "/nonexistent/model";
  BOOST_CHECK_THROW(pocketsphinx_engine{config}, std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
