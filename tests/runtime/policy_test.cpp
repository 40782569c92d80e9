#include <boost/test/unit_test.hpp>
#include <set>

#include "runtime/common/restart_policy.hpp"

using namespace parley::runtime;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(restart_policy)

BOOST_AUTO_TEST_CASE(restart_types) {
  BOOST_CHECK(should_restart(restart_type::permanent, false));
  BOOST_CHECK(should_restart(restart_type::permanent, true));
  BOOST_CHECK(should_restart(restart_type::transient, true));
  BOOST_CHECK(!should_restart(restart_type::transient, false));
  BOOST_CHECK(!should_restart(restart_type::temporary, true));
}

BOOST_AUTO_TEST_CASE(backoff_is_immediate_then_exponential_with_jitter_and_capped) {
  backoff_policy p{100ms, 1000ms, 0.2};
  std::mt19937 rng(42);
  BOOST_CHECK_EQUAL(p.delay(0, rng).count(), 0);
  for (int i = 0; i < 50; ++i) {
    auto d1 = p.delay(1, rng).count();
    BOOST_CHECK(d1 >= 80 && d1 <= 120);
    auto d3 = p.delay(3, rng).count();
    BOOST_CHECK(d3 >= 320 && d3 <= 480);
    BOOST_CHECK(p.delay(30, rng).count() <= 1000);
  }
}

BOOST_AUTO_TEST_CASE(jitter_spreads_delays) {
  backoff_policy p{100ms, 1000ms, 0.2};
  std::mt19937 rng(7);
  std::set<long long> seen;
  for (int i = 0; i < 20; ++i) seen.insert(p.delay(2, rng).count());
  BOOST_CHECK(seen.size() > 5);
}

BOOST_AUTO_TEST_CASE(window_counts_restarts_within_the_period) {
  restart_window w({2, 1000ms});
  const auto t = std::chrono::steady_clock::now();
  BOOST_CHECK(w.admit(t));
  BOOST_CHECK(w.admit(t + 100ms));
  BOOST_CHECK(!w.admit(t + 200ms));
  // Once the early ones leave the period there is room again.
  restart_window w2({2, 1000ms});
  BOOST_CHECK(w2.admit(t));
  BOOST_CHECK(w2.admit(t + 100ms));
  BOOST_CHECK(w2.admit(t + 1050ms));
  BOOST_CHECK_EQUAL(w2.recent(), 2u);
}

BOOST_AUTO_TEST_SUITE_END()
