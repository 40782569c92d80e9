#include "actors/tts/espeak_engine.hpp"

#include "tests/actors/tts/audio_checks.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <thread>

namespace parley::tts {

namespace {
const std::string ten_words = "The weather today is sunny with a light breeze outside.";
constexpr double espeak_tolerance = 0.25;
const std::string ten_words_changed = "The weather today was sunny with a light wind outside.";
}  // namespace

BOOST_AUTO_TEST_SUITE(espeak_engine_suite)

BOOST_AUTO_TEST_CASE(speaks_a_sentence_at_22050_hz) {
  espeak_engine engine;
  BOOST_TEST(engine.name() == "espeak-ng");
  BOOST_TEST(engine.sample_rate() == 22050);
  const auto out = test::run(engine, ten_words);
  BOOST_TEST(out.result);
  const double secs = test::seconds(out, engine.sample_rate());
  BOOST_TEST(secs > 10 * 0.15);
  BOOST_TEST(secs < 10 * 0.8);
  BOOST_TEST(test::rms(out.samples) > 1000.0);
  BOOST_TEST(test::voiced_share(out.samples, engine.sample_rate()) > 0.5);
  BOOST_TEST_MESSAGE("espeak-ng: " << secs << " s of audio, first chunk " << out.first_chunk_ms
                                   << " ms, total " << out.total_ms << " ms, " << out.chunks
                                   << " chunks");
}

BOOST_AUTO_TEST_CASE(sink_cancels_and_the_next_call_is_whole) {
  espeak_engine engine;
  const auto full = test::run(engine, ten_words);
  std::size_t calls_after_cancel = 0;
  const auto cut = test::run(engine, ten_words, [&](std::size_t chunks) {
    if (chunks > 1) ++calls_after_cancel;
    return false;
  });
  BOOST_TEST(!cut.result);
  BOOST_TEST(calls_after_cancel == 0u);
  BOOST_TEST(cut.samples.size() * 4 < full.samples.size());
  BOOST_TEST(test::same_speech(test::run(engine, ten_words).samples, full.samples, 22050,
                               espeak_tolerance));
}

BOOST_AUTO_TEST_CASE(concurrent_callers_take_turns_and_get_correct_audio) {
  espeak_engine engine;
  espeak_engine slower(espeak_config{"en", 120, ""});
  const std::vector<std::string> sentences = {"Go forward ten meters.", "What time is it?",
                                              ten_words};
  std::vector<std::vector<int16_t>> fast_ref;
  std::vector<std::vector<int16_t>> slow_ref;
  for (const auto& s : sentences) {
    fast_ref.push_back(test::run(engine, s).samples);
    slow_ref.push_back(test::run(slower, s).samples);
  }
  // A slower speaking rate really is in effect per engine, even when callers interleave.
  BOOST_TEST(slow_ref[2].size() > fast_ref[2].size() * 5 / 4);
  // The comparison tells sentences apart (it is not bit-exact, see same_speech).
  BOOST_TEST(!test::same_speech(fast_ref[2], test::run(engine, ten_words_changed).samples, 22050,
                                espeak_tolerance));

  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      auto& eng = t % 2 == 0 ? engine : slower;
      const auto& ref = t % 2 == 0 ? fast_ref : slow_ref;
      for (std::size_t round = 0; round < 6; ++round) {
        const std::size_t which = (t + round) % sentences.size();
        const auto out = test::run(eng, sentences[which]);
        if (!out.result || !test::same_speech(out.samples, ref[which], 22050, espeak_tolerance))
          ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (auto m : mismatches) BOOST_TEST(m == 0);
}

BOOST_AUTO_TEST_CASE(unknown_voice_throws) {
  BOOST_CHECK_THROW(espeak_engine(espeak_config{"no-such-voice", 175, ""}), std::runtime_error);
  espeak_engine engine;  // a failed voice change does not break later engines
  BOOST_TEST(test::run(engine, "Hello.").result);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
