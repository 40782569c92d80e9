// The playout queue and clock, with time in the test's hands.

#include "actors/session/playout.hpp"

#include <boost/test/unit_test.hpp>

using namespace parley;
using namespace parley::session;
using namespace std::chrono_literals;
using clock_type = playout_clock::clock;

namespace {

struct fake_time {
  clock_type::time_point now{clock_type::duration(1000000)};
  playout_clock clock{[this] { return now; }};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(playout)

BOOST_AUTO_TEST_CASE(frames_leave_in_order_and_a_cut_reply_is_dropped) {
  reply_queue q;
  BOOST_CHECK(!q.pop());
  q.push(1, {1});
  q.push(2, {2});
  q.push(1, {3});
  BOOST_CHECK(q.holds(1) && q.holds(2) && !q.holds(3));
  q.drop([](messages::turn_id id) { return id == 2; });
  BOOST_CHECK_EQUAL(q.size(), 2u);
  auto a = q.pop();
  auto b = q.pop();
  BOOST_REQUIRE(a && b);
  BOOST_CHECK(a->first == 1 && a->second == messages::bytes{1});
  BOOST_CHECK(b->first == 1 && b->second == messages::bytes{3});
  BOOST_CHECK(q.empty());
}

BOOST_AUTO_TEST_CASE(on_time_frames_are_twenty_ms_apart) {
  fake_time t;
  t.clock.start();
  BOOST_CHECK(t.clock.after_frame() == 20ms);
  t.now += 20ms;
  BOOST_CHECK(t.clock.after_frame() == 20ms);
}

BOOST_AUTO_TEST_CASE(a_late_timer_does_not_add_up_to_drift) {
  fake_time t;
  t.clock.start();
  t.clock.after_frame();
  t.now += 27ms;  // the timer fired 7 ms late
  BOOST_CHECK(t.clock.after_frame() == 13ms);
  t.now += 13ms;  // back on the schedule: frame 3 at 60 ms
  BOOST_CHECK(t.clock.after_frame() == 20ms);
  t.now += 35ms;  // 15 ms late: the next frame still goes at 80 ms
  BOOST_CHECK(t.clock.after_frame() == 5ms);
}

BOOST_AUTO_TEST_CASE(after_a_stall_the_schedule_starts_again_from_now) {
  fake_time t;
  t.clock.start();
  t.clock.after_frame();
  t.now += 60ms;  // two frames behind: sent at once, without waiting
  BOOST_CHECK(t.clock.after_frame() == 0ms);
  t.now += 1s;  // stalled: no burst of fifty frames, the next goes in 20 ms
  BOOST_CHECK(t.clock.after_frame() == 0ms);
  BOOST_CHECK(t.clock.after_frame() == 20ms);
}

BOOST_AUTO_TEST_SUITE_END()
