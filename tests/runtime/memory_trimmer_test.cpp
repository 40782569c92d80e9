#include "runtime/common/memory_trimmer.hpp"

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <mutex>

using namespace parley::runtime;
using namespace std::chrono_literals;

namespace {

// Counts the trims and lets the test wait for the n-th.
struct trims {
  std::mutex m;
  std::condition_variable cv;
  int count = 0;
  std::function<void()> fn() {
    return [this] {
      std::lock_guard<std::mutex> lock(m);
      ++count;
      cv.notify_all();
    };
  }
  bool wait_for(int n, std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, limit, [&] { return count >= n; });
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(memory_trim)

BOOST_AUTO_TEST_CASE(trims_on_its_period_until_destroyed) {
  trims t;
  {
    memory_trimmer trimmer(5ms, t.fn());
    BOOST_CHECK(t.wait_for(3, 10s));
  }
  std::lock_guard<std::mutex> lock(t.m);
  const int at_end = t.count;
  BOOST_CHECK_GE(at_end, 3);
}

BOOST_AUTO_TEST_CASE(a_zero_period_never_trims_and_a_long_one_stops_at_once) {
  trims t;
  { memory_trimmer off(0ms, t.fn()); }
  const auto t0 = std::chrono::steady_clock::now();
  { memory_trimmer hourly(std::chrono::hours(1), t.fn()); }
  BOOST_CHECK(std::chrono::steady_clock::now() - t0 < 5s);  // the destructor wakes it
  std::lock_guard<std::mutex> lock(t.m);
  BOOST_CHECK_EQUAL(t.count, 0);
}

BOOST_AUTO_TEST_SUITE_END()
