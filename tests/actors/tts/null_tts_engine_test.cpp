#include "actors/tts/null_tts_engine.hpp"

#include "tests/actors/tts/audio_checks.hpp"

#include <boost/test/unit_test.hpp>

namespace parley::tts {

namespace {
std::size_t zero_crossings(const std::vector<int16_t>& pcm) {
  std::size_t n = 0;
  for (std::size_t i = 1; i < pcm.size(); ++i) {
    if ((pcm[i - 1] < 0) != (pcm[i] < 0)) ++n;
  }
  return n;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(null_tts_engine_suite)

BOOST_AUTO_TEST_CASE(default_is_400ms_of_440hz_at_16khz) {
  null_engine engine;
  BOOST_TEST(engine.sample_rate() == 16000);
  const auto out = test::run(engine, "anything at all");
  BOOST_TEST(out.result);
  BOOST_TEST(out.samples.size() == 6400u);
  BOOST_TEST(out.chunks == 20u);  // 20 ms each
  const double crossings = static_cast<double>(zero_crossings(out.samples));
  BOOST_TEST(crossings == 2 * 440 * 0.4, boost::test_tools::tolerance(0.01));
  BOOST_TEST(test::rms(out.samples) > 8000 * 0.7 * 0.95);  // a sine's RMS is 0.707 of its peak
}

BOOST_AUTO_TEST_CASE(configured_length_and_rate) {
  null_tts_config config;
  config.duration = std::chrono::milliseconds(250);
  config.sample_rate = 48000;
  config.frequency_hz = 1000;
  null_engine engine(config);
  BOOST_TEST(engine.sample_rate() == 48000);
  const auto out = test::run(engine, "x");
  BOOST_TEST(out.samples.size() == 12000u);
  BOOST_TEST(static_cast<double>(zero_crossings(out.samples)) == 500.0,
             boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(sink_cancels) {
  null_engine engine;
  const auto out = test::run(engine, "x", [](std::size_t chunks) { return chunks < 3; });
  BOOST_TEST(!out.result);
  BOOST_TEST(out.chunks == 3u);
  BOOST_TEST(out.samples.size() == 960u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::tts
