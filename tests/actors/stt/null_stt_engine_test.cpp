#include "actors/stt/null_stt_engine.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

namespace parley::stt {

BOOST_AUTO_TEST_SUITE(null_stt_engine_suite)

BOOST_AUTO_TEST_CASE(answers_the_configured_transcript_per_utterance) {
  null_engine engine("turn on the lights");
  BOOST_TEST(engine.name() == "null");
  auto rec = engine.make_recognizer();
  const std::vector<int16_t> silence(320, 0);
  for (int turn = 0; turn < 2; ++turn) {
    rec->begin();
    rec->feed(silence.data(), silence.size());
    BOOST_TEST(rec->finish() == "turn on the lights");
  }
  BOOST_TEST(rec->finish().empty());  // no open utterance
}

BOOST_AUTO_TEST_CASE(default_transcript) {
  null_engine engine;
  auto rec = engine.make_recognizer();
  rec->begin();
  BOOST_TEST(rec->finish() == "what time is it");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
