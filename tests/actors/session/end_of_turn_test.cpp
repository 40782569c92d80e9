// The end of turn fitted to the words: unfinished phrases wait longer,
// requests the agent understands end sooner, the rest keep the usual window.

#include "actors/session/end_of_turn.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace parley::session;
using namespace std::chrono_literals;

namespace {

// An agent that answers the time and needs words after "spell".
request_shape knows_the_time(std::string_view words) {
  const std::string w(words);
  if (w == "spell") return request_shape::unfinished;
  return w.find("time") != std::string::npos ? request_shape::whole : request_shape::unsure;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(end_of_turn)

BOOST_AUTO_TEST_CASE(words_a_sentence_does_not_end_on_leave_it_unfinished) {
  for (const char* heard : {"turn on the", "tell me about", "i want pizza and", "so um", "what is",
                            "my number is four two", "call one two THREE", "the time in", "spell"})
    BOOST_TEST((shape_of(heard, knows_the_time) == request_shape::unfinished), heard);
}

BOOST_AUTO_TEST_CASE(a_request_the_agent_understands_is_whole) {
  BOOST_TEST((shape_of("what time is it", knows_the_time) == request_shape::whole));
  BOOST_TEST((shape_of("what time is it?", knows_the_time) == request_shape::whole));
}

BOOST_AUTO_TEST_CASE(anything_else_is_open) {
  for (const char* heard : {"", "  ", "hello there", "go forward ten meters", "it is four"})
    BOOST_TEST((shape_of(heard, knows_the_time) == request_shape::unsure), heard);
  // Without an agent that understands anything, nothing is complete.
  BOOST_TEST((shape_of("what time is it", {}) == request_shape::unsure));
}

BOOST_AUTO_TEST_CASE(windows_stay_on_their_side_of_the_usual_one) {
  const end_of_turn_settings s{150ms, 900ms};
  BOOST_TEST((silence_for(request_shape::whole, s, 300ms) == 150ms));
  BOOST_TEST((silence_for(request_shape::unfinished, s, 300ms) == 900ms));
  BOOST_TEST((silence_for(request_shape::unsure, s, 300ms) == 300ms));
  // A usual window outside the bounds is never lengthened for a complete
  // request nor shortened for an unfinished one.
  BOOST_TEST((silence_for(request_shape::whole, s, 100ms) == 100ms));
  BOOST_TEST((silence_for(request_shape::unfinished, s, 1200ms) == 1200ms));
}

BOOST_AUTO_TEST_CASE(the_window_that_ended_a_turn_is_named_against_the_usual_one) {
  BOOST_TEST(std::string(window_name(150ms, 300ms)) == "short");
  BOOST_TEST(std::string(window_name(300ms, 300ms)) == "usual");
  BOOST_TEST(std::string(window_name(900ms, 300ms)) == "long");
}

BOOST_AUTO_TEST_SUITE_END()
