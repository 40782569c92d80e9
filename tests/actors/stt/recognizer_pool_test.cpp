#include "actors/stt/recognizer_pool.hpp"

#include "actors/stt/null_stt_engine.hpp"
#include "actors/stt/pocketsphinx_engine.hpp"
#include "tests/actors/stt/speech_samples.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace parley::stt {
namespace {

using namespace std::chrono_literals;

// Counts what the pool does to its recognizers.
class counting_recognizer : public recognizer {
 public:
  explicit counting_recognizer(std::atomic<int>& resets) : resets_(resets) {}
  void begin() override {}
  void feed(const int16_t* /*pcm16k*/, size_t /*samples*/) override {}
  std::string partial() override { return {}; }
  std::string finish() override { return {}; }
  void reset() override { ++resets_; }

 private:
  std::atomic<int>& resets_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(recognizer_pool_suite)

BOOST_AUTO_TEST_CASE(creates_all_recognizers_up_front) {
  null_engine engine;
  recognizer_pool pool(engine, 3);
  BOOST_TEST(pool.size() == 3u);
  BOOST_TEST(pool.available() == 3u);
}

// One compute slot, held; a speaker still talking asks first, then one who
// has stopped. The one who stopped gets the slot first; the other follows.
BOOST_AUTO_TEST_CASE(compute_slots_go_to_finished_speech_first) {
  null_engine engine;
  recognizer_pool pool(engine, 3, 1);
  std::atomic<bool> talking{false}, stopped{false};
  auto held = std::make_unique<recognizer_pool::compute_slot>(pool.compute(talking));
  std::mutex m;
  std::vector<std::string> order;
  auto wait_for = [&](const std::atomic<bool>& urgent, const char* who) {
    return std::async(std::launch::async, [&, who] {
      auto slot = pool.compute(urgent);
      std::lock_guard<std::mutex> g(m);
      order.emplace_back(who);
    });
  };
  auto a = wait_for(talking, "talking");
  while (pool.compute_waiting() < 1) std::this_thread::yield();
  stopped = true;
  auto b = wait_for(stopped, "stopped");
  while (pool.compute_waiting() < 2) std::this_thread::yield();
  held.reset();
  a.get();
  b.get();
  BOOST_TEST(order == (std::vector<std::string>{"stopped", "talking"}),
             boost::test_tools::per_element());
  BOOST_TEST(pool.compute_waiting() == 0u);
}

// A speaker who stops while waiting is let through ahead of the others.
BOOST_AUTO_TEST_CASE(urgency_is_read_while_waiting) {
  null_engine engine;
  recognizer_pool pool(engine, 3, 1);
  std::atomic<bool> first{false}, second{false};
  auto held = std::make_unique<recognizer_pool::compute_slot>(pool.compute(first));
  std::atomic<int> done{0};
  std::atomic<int> second_at{0};
  auto a = std::async(std::launch::async, [&] {
    auto slot = pool.compute(first);
    ++done;
  });
  auto b = std::async(std::launch::async, [&] {
    auto slot = pool.compute(second);
    second_at = ++done;
  });
  while (pool.compute_waiting() < 2) std::this_thread::yield();
  second = true;  // stops talking while both wait
  held.reset();
  a.get();
  b.get();
  BOOST_TEST(second_at.load() == 1);
}

BOOST_AUTO_TEST_CASE(hands_out_distinct_recognizers_then_times_out) {
  null_engine engine;
  recognizer_pool pool(engine, 2);
  auto a = pool.acquire(0ms);
  auto b = pool.acquire(0ms);
  BOOST_REQUIRE(a && b);
  BOOST_TEST(&a->get() != &b->get());
  BOOST_TEST(pool.available() == 0u);

  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(!pool.acquire(50ms).has_value());
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 50ms));
}

BOOST_AUTO_TEST_CASE(hands_out_again_after_release) {
  null_engine engine;
  recognizer_pool pool(engine, 1);
  recognizer* first = nullptr;
  {
    auto held = pool.acquire(0ms);
    BOOST_REQUIRE(held);
    first = &held->get();
    BOOST_TEST(!pool.acquire(0ms).has_value());
  }
  BOOST_TEST(pool.available() == 1u);
  auto again = pool.acquire(0ms);
  BOOST_REQUIRE(again);
  BOOST_TEST(&again->get() == first);
  BOOST_TEST(pool.available() == 0u);
}

BOOST_AUTO_TEST_CASE(blocked_acquire_wakes_on_release) {
  null_engine engine("hello");
  recognizer_pool pool(engine, 1);
  auto held = pool.acquire(0ms);
  BOOST_REQUIRE(held);
  recognizer* const lent = &held->get();

  std::promise<void> waiting;
  auto got = std::async(std::launch::async, [&] {
    waiting.set_value();
    auto lease = pool.acquire(30s);  // far longer than the test: only the release ends it
    if (!lease) return std::string("timed out");
    if (&lease->get() != lent) return std::string("other recognizer");
    lease->get().begin();
    return lease->get().finish();
  });
  waiting.get_future().wait();
  held.reset();  // gives the only recognizer back
  BOOST_TEST(got.get() == "hello");
  BOOST_TEST(pool.available() == 1u);
}

BOOST_AUTO_TEST_CASE(moved_lease_returns_once) {
  null_engine engine;
  recognizer_pool pool(engine, 2);
  {
    auto a = pool.acquire(0ms);
    BOOST_REQUIRE(a);
    recognizer_pool::lease moved = std::move(*a);
    a.reset();  // the moved-from lease must not return the recognizer
    BOOST_TEST(pool.available() == 1u);
    auto b = pool.acquire(0ms);
    BOOST_REQUIRE(b);
    moved = std::move(*b);  // gives back the first, takes over the second
    BOOST_TEST(pool.available() == 1u);
  }
  BOOST_TEST(pool.available() == 2u);
}

BOOST_AUTO_TEST_CASE(many_threads_never_share_a_recognizer) {
  null_engine engine;
  recognizer_pool pool(engine, 2);
  std::atomic<int> in_use{0};
  std::atomic<int> max_in_use{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(6);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto lease = pool.acquire(10s);
        if (!lease) {
          ++failures;
          continue;
        }
        const int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
        }
        lease->get().begin();
        if (lease->get().finish() != "what time is it") ++failures;
        --in_use;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(max_in_use.load() <= 2);
  BOOST_TEST(pool.available() == 2u);
}

BOOST_AUTO_TEST_CASE(resets_a_recognizer_before_handing_it_out) {
  std::atomic<int> resets{0};
  std::vector<std::unique_ptr<recognizer>> recs;
  recs.push_back(std::make_unique<counting_recognizer>(resets));
  recognizer_pool pool(std::move(recs));
  for (int i = 0; i < 2; ++i) {
    auto lease = pool.acquire(0ms);
    BOOST_REQUIRE(lease);
  }
  BOOST_TEST(resets.load() == 2);
}

BOOST_AUTO_TEST_CASE(dropped_mid_utterance_lease_leaves_a_working_recognizer) {
  pocketsphinx_engine engine;
  recognizer_pool pool(engine, 1);
  const auto pcm = test::read_raw(test::goforward_path);
  {
    auto lease = pool.acquire(0ms);
    BOOST_REQUIRE(lease);
    lease->get().begin();
    test::feed_chunks(lease->get(), pcm, 0, pcm.size() / 2);
    BOOST_TEST(!lease->get().partial().empty());
  }  // dropped mid-utterance
  auto lease = pool.acquire(0ms);
  BOOST_REQUIRE(lease);
  BOOST_TEST(lease->get().finish().empty());  // the abandoned utterance is gone
  BOOST_TEST(test::transcribe(lease->get(), pcm) == test::goforward_text);
}

// An engine reload drops the old pool while utterances still decode on its
// recognisers: each must live until its lease is given back.
BOOST_AUTO_TEST_CASE(a_lease_keeps_its_recognizer_after_the_pool_is_gone) {
  pocketsphinx_engine engine;
  auto pool = std::make_unique<recognizer_pool>(engine, 1, 1);
  const auto pcm = test::read_raw(test::goforward_path);
  auto lease = pool->acquire(0ms);
  BOOST_REQUIRE(lease);
  lease->get().begin();
  pool.reset();  // the engine host was restarted
  std::atomic<bool> urgent{true};
  {
    auto slot = lease->compute(urgent);
    test::feed_chunks(lease->get(), pcm, 0, pcm.size());
  }
  BOOST_TEST(lease->get().finish() == test::goforward_text);
}

BOOST_AUTO_TEST_CASE(a_lease_computes_in_its_own_pool) {
  null_engine engine;
  recognizer_pool pool(engine, 2, 1);
  auto lease = pool.acquire(0ms);
  BOOST_REQUIRE(lease);
  std::atomic<bool> urgent{false};
  auto held = std::make_unique<recognizer_pool::compute_slot>(lease->compute(urgent));
  std::atomic<bool> through{false};
  auto waiter = std::async(std::launch::async, [&] {
    auto s = pool.compute(urgent);
    through = true;
  });
  // The only slot is the lease's: the other caller queues for it.
  while (pool.compute_waiting() < 1) std::this_thread::yield();
  BOOST_TEST(!through.load());
  held.reset();
  waiter.get();
  BOOST_TEST(through.load());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
