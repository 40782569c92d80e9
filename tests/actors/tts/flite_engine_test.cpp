#include "actors/tts/flite_engine.hpp"

#include "tests/actors/tts/audio_checks.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <thread>

namespace parley::tts {

namespace {
const std::string twelve_words = "The quick brown fox jumps over the lazy dog near the river bank.";
constexpr double flite_tolerance = 0.1;
const std::string twelve_words_changed =
    "The quick brown fox jumped over the lazy dogs near the river bank.";
}  // namespace

BOOST_AUTO_TEST_SUITE(flite_engine_suite)

BOOST_AUTO_TEST_CASE(speaks_a_sentence_of_plausible_length_and_loudness) {
  flite_engine engine;
  BOOST_TEST(engine.name() == "flite");
  BOOST_TEST(engine.sample_rate() == 16000);
  const auto out = test::run(engine, twelve_words);
  BOOST_TEST(out.result);
  const double secs = test::seconds(out, engine.sample_rate());
  BOOST_TEST(secs > 12 * 0.15);  // people and flite say 2-4 words a second
  BOOST_TEST(secs < 12 * 0.8);
  BOOST_TEST(test::rms(out.samples) > 1000.0);
  BOOST_TEST(test::voiced_share(out.samples, engine.sample_rate()) > 0.5);
  BOOST_TEST(out.chunks > 10u);  // streamed, not one block at the end
  BOOST_TEST_MESSAGE("flite: " << secs << " s of audio, first chunk " << out.first_chunk_ms
                               << " ms, total " << out.total_ms << " ms, RTF "
                               << out.total_ms / 1000.0 / secs << ", " << out.chunks << " chunks");
}

BOOST_AUTO_TEST_CASE(longer_text_gives_longer_audio) {
  flite_engine engine;
  const auto shorter = test::run(engine, "Hello.");
  const auto longer = test::run(engine, twelve_words);
  BOOST_TEST(shorter.samples.size() * 3 < longer.samples.size());
}

BOOST_AUTO_TEST_CASE(sink_cancels_promptly) {
  flite_engine engine;
  const auto full = test::run(engine, twelve_words);
  std::size_t calls_after_cancel = 0;
  const auto cut = test::run(engine, twelve_words, [&](std::size_t chunks) {
    if (chunks > 2) ++calls_after_cancel;
    return chunks < 2;
  });
  BOOST_TEST(!cut.result);
  BOOST_TEST(calls_after_cancel == 0u);
  BOOST_TEST(cut.samples.size() * 4 < full.samples.size());
  // The cancelled call left nothing behind: the next one is complete again.
  BOOST_TEST(test::same_speech(test::run(engine, twelve_words).samples, full.samples, 16000,
                               flite_tolerance));
}

BOOST_AUTO_TEST_CASE(sink_exception_propagates) {
  flite_engine engine;
  BOOST_CHECK_THROW(engine.synthesize("Hello there.",
                                      [](const int16_t*, size_t) -> bool {
                                        throw std::runtime_error("sink failed");
                                      }),
                    std::runtime_error);
  BOOST_TEST(test::run(engine, "Hello there.").result);
}

BOOST_AUTO_TEST_CASE(four_threads_get_the_same_audio_as_one) {
  flite_engine engine;
  const std::vector<std::string> sentences = {
      "Go forward ten meters.", "What time is it?", twelve_words,
      "Parley speaks while you listen, and stops when you talk."};
  std::vector<std::vector<int16_t>> reference;
  reference.reserve(sentences.size());
  for (const auto& s : sentences) reference.push_back(test::run(engine, s).samples);
  // The comparison tells sentences apart (it is not bit-exact, see same_speech).
  BOOST_TEST(!test::same_speech(reference[2], test::run(engine, twelve_words_changed).samples,
                                engine.sample_rate(), flite_tolerance));

  std::vector<int> mismatches(sentences.size(), 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < sentences.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        const std::size_t which = (t + round) % sentences.size();
        const auto out = test::run(engine, sentences[which]);
        // flite's durations are deterministic: only the noise excitation varies.
        if (!out.result || out.samples.size() != reference[which].size() ||
            !test::same_speech(out.samples, reference[which], engine.sample_rate(),
                               flite_tolerance)) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < sentences.size(); ++t) BOOST_TEST(mismatches[t] == 0);
}

BOOST_AUTO_TEST_CASE(second_engine_shares_the_voice) {
  flite_engine first;
  flite_engine second;
  BOOST_TEST(test::same_speech(test::run(first, "Hello.").samples,
                               test::run(second, "Hello.").samples, 16000, flite_tolerance));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
