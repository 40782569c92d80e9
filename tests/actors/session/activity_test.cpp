// What a session shows it is doing (its `state` label on the ops endpoint).

#include "actors/session/activity.hpp"

#include <boost/test/unit_test.hpp>

using namespace parley::session;

BOOST_AUTO_TEST_SUITE(activity_label)

BOOST_AUTO_TEST_CASE(listening_thinking_speaking_follow_the_turns) {
  session_memory mem(nullptr);
  BOOST_CHECK_EQUAL(activity(mem), "listening");

  auto& t = mem.turns[1];
  t.id = 1;
  BOOST_CHECK_EQUAL(activity(mem), "listening");  // the user is still speaking
  BOOST_REQUIRE(t.end_speech());
  BOOST_CHECK_EQUAL(activity(mem), "thinking");
  BOOST_REQUIRE(t.transcribe("go forward"));
  BOOST_CHECK_EQUAL(activity(mem), "thinking");
  t.frames_sent = 1;
  BOOST_CHECK_EQUAL(activity(mem), "speaking");

  // Cut off by a barge-in: its frames are gone, nobody waits on it.
  BOOST_REQUIRE(t.interrupt());
  BOOST_CHECK_EQUAL(activity(mem), "listening");
}

BOOST_AUTO_TEST_CASE(queued_reply_audio_is_speaking_after_its_turn_left) {
  session_memory mem(nullptr);
  mem.playout.push(7, {1, 2, 3});
  BOOST_CHECK_EQUAL(activity(mem), "speaking");
  (void)mem.playout.pop();
  BOOST_CHECK_EQUAL(activity(mem), "listening");
}

BOOST_AUTO_TEST_SUITE_END()
