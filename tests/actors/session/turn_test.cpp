// The turn's phase moves forward only, one step at a time; a late or
// repeated message finds the turn past its step and changes nothing.

#include "actors/session/turn.hpp"

#include <boost/test/unit_test.hpp>

using namespace parley;
using namespace parley::session;

namespace {

messages::sentence_audio piece(std::uint32_t index, std::uint32_t first, std::size_t frames,
                               bool done, double seconds = 0.1) {
  messages::sentence_audio a;
  a.index = index;
  a.first_frame = first;
  a.frames.assign(frames, messages::bytes{1, 2, 3});
  a.sentence_done = done;
  a.synth_seconds = seconds;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(turn_phases)

BOOST_AUTO_TEST_CASE(a_spoken_turn_goes_through_every_phase_in_order) {
  turn t;
  BOOST_CHECK(t.speaking());
  BOOST_CHECK(!t.complete_reply());  // no reply before a transcript
  BOOST_CHECK(t.end_speech());
  BOOST_CHECK(!t.end_speech());  // a second speech_end changes nothing
  BOOST_CHECK(t.phase == turn_phase::transcribing);
  BOOST_CHECK(!t.complete_audio());
  BOOST_CHECK(t.transcribe("go forward"));
  BOOST_CHECK(!t.transcribe("a late repeat"));
  BOOST_CHECK_EQUAL(t.transcript, "go forward");
  BOOST_CHECK(t.transcribed() && !t.reply_complete());
  BOOST_CHECK(t.complete_reply());
  BOOST_CHECK(t.reply_complete() && !t.audio_complete());
  BOOST_CHECK(t.complete_audio());
  BOOST_CHECK(t.audio_complete() && t.reply_complete());
  BOOST_CHECK_EQUAL(to_string(t.phase), "playing");
}

BOOST_AUTO_TEST_CASE(a_typed_turn_starts_at_the_transcript) {
  turn t;
  BOOST_CHECK(t.transcribe("hello"));
  BOOST_CHECK(t.phase == turn_phase::answering);
  BOOST_CHECK(!t.speaking());
}

BOOST_AUTO_TEST_CASE(only_a_reply_under_way_can_be_interrupted_and_it_stays_so) {
  turn t;
  BOOST_CHECK(!t.interrupt());  // still speaking: nothing to cut off
  t.end_speech();
  BOOST_CHECK(!t.interrupt());
  t.transcribe("hi");
  BOOST_CHECK(t.interrupt());
  BOOST_CHECK(t.interrupted());
  BOOST_CHECK(!t.interrupt());
  BOOST_CHECK(!t.complete_reply());
  BOOST_CHECK(!t.complete_audio());
  BOOST_CHECK(!t.reply_complete());
  BOOST_CHECK(!t.accept(piece(0, 0, 3, true)));  // its audio is not queued any more
}

BOOST_AUTO_TEST_CASE(an_apology_replaces_the_reply_and_the_transcript) {
  turn t;
  t.end_speech();  // the recogniser failed for good
  t.sentences = {"half"};
  t.sentences_voiced = 1;
  t.answer_with("Sorry.");
  BOOST_CHECK(t.reply_complete());
  BOOST_CHECK(t.transcript.empty());  // not remembered as said
  BOOST_REQUIRE_EQUAL(t.sentences.size(), 1u);
  BOOST_CHECK_EQUAL(t.sentences[0], "Sorry.");
  BOOST_CHECK(t.accept(piece(0, 0, 2, true)));  // the apology is voiced from its start
  BOOST_CHECK(t.complete_audio());
}

BOOST_AUTO_TEST_CASE(pieces_are_taken_in_order_and_a_repeat_is_skipped) {
  turn t;
  auto first = t.accept(piece(0, 0, 5, false, 0.2));
  BOOST_REQUIRE(first);
  BOOST_CHECK_EQUAL(first->skip, 0u);
  BOOST_CHECK(!first->sentence_seconds);
  BOOST_CHECK(!t.accept(piece(0, 7, 3, false)));  // a gap cannot be filled later
  BOOST_CHECK(!t.accept(piece(1, 0, 3, false)));  // the next sentence waits for this one
  // A replacement job says the sentence again from its start.
  auto again = t.accept(piece(0, 0, 8, true, 0.3));
  BOOST_REQUIRE(again);
  BOOST_CHECK_EQUAL(again->skip, 5u);
  BOOST_REQUIRE(again->sentence_seconds);
  BOOST_CHECK_CLOSE(*again->sentence_seconds, 0.5, 1e-9);
  BOOST_CHECK_EQUAL(t.sentences_voiced, 1u);
  BOOST_CHECK_EQUAL(t.partly_voiced, 0u);
  BOOST_CHECK(!t.accept(piece(0, 0, 8, true)));  // that sentence is done
  BOOST_CHECK(t.accept(piece(1, 0, 2, true)));
}

BOOST_AUTO_TEST_CASE(the_reply_text_joins_its_sentences) {
  turn t;
  BOOST_CHECK_EQUAL(t.reply_text(), "");
  t.sentences = {"One.", "Two."};
  BOOST_CHECK_EQUAL(t.reply_text(), "One. Two.");
  BOOST_CHECK(!t.audio_started());
  t.frames_sent = 1;
  BOOST_CHECK(t.audio_started());
}

BOOST_AUTO_TEST_SUITE_END()
