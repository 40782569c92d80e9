#include "runtime/common/circuit_breaker.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

namespace parley::runtime {
namespace {

using namespace std::chrono_literals;
using state = circuit_breaker::state;

// A clock the test moves by hand.
struct manual_clock {
  std::chrono::steady_clock::time_point now{};
  circuit_breaker::clock_fn fn() {
    return [this] { return now; };
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(circuit_breaker_suite)

BOOST_AUTO_TEST_CASE(opens_after_three_consecutive_failures) {
  manual_clock clock;
  circuit_breaker b({}, clock.fn());
  for (int i = 0; i < 2; ++i) {
    BOOST_TEST(b.allow());
    b.record_failure();
  }
  BOOST_TEST((b.current() == state::closed));
  BOOST_TEST(b.allow());
  b.record_success();  // a success in between starts the count again
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(b.allow());
    b.record_failure();
  }
  BOOST_TEST((b.current() == state::open));
  BOOST_TEST(!b.allow());
}

BOOST_AUTO_TEST_CASE(one_trial_after_the_cooldown_then_closed_on_success) {
  manual_clock clock;
  circuit_breaker b({3, 30s}, clock.fn());
  for (int i = 0; i < 3; ++i) b.record_failure();
  clock.now += 29s;
  BOOST_TEST(!b.allow());
  clock.now += 1s;
  BOOST_TEST(b.allow());  // the trial
  BOOST_TEST((b.current() == state::half_open));
  BOOST_TEST(!b.allow());  // only one trial at a time
  b.record_success();
  BOOST_TEST((b.current() == state::closed));
  BOOST_TEST(b.allow());
  BOOST_TEST(b.consecutive_failures() == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_trial_reopens_for_another_cooldown) {
  manual_clock clock;
  circuit_breaker b({2, 10s}, clock.fn());
  b.record_failure();
  b.record_failure();
  clock.now += 10s;
  BOOST_TEST(b.allow());
  b.record_failure();
  BOOST_TEST((b.current() == state::open));
  clock.now += 9s;
  BOOST_TEST(!b.allow());
  clock.now += 1s;
  BOOST_TEST(b.allow());
  BOOST_TEST(to_string(b.current()) == "half_open");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::runtime
