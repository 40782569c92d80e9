#include "actors/stt/recognition.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <stdexcept>
#include <vector>

namespace parley::stt {
namespace {

using namespace std::chrono_literals;

// Remembers what it was fed; can be told to throw or to block in feed.
struct recording_recognizer : recognizer {
  std::vector<std::int16_t> fed;
  int begins = 0;
  bool throw_on_feed = false;
  std::promise<void> entered;        // set when a blocking feed starts
  std::shared_future<void> release;  // a feed waits for it when valid
  void begin() override {
    ++begins;
    fed.clear();
  }
  void feed(const int16_t* pcm, size_t n) override {
    if (throw_on_feed) throw std::runtime_error("engine failed");
    if (release.valid()) {
      entered.set_value();
      release.wait();
    }
    fed.insert(fed.end(), pcm, pcm + n);
  }
  std::string words;  // the partial when set; else how much was fed
  bool over = false;  // heard_end_of_speech()
  std::string partial() override {
    return words.empty() ? "partial " + std::to_string(fed.size()) : words;
  }
  bool heard_end_of_speech() override { return over; }
  std::string finish() override { return "heard " + std::to_string(fed.size()); }
  void reset() override {}
};

struct pool_fixture {
  recording_recognizer* rec = nullptr;
  recognizer_pool pool{[this] {
    std::vector<std::unique_ptr<recognizer>> all;
    auto r = std::make_unique<recording_recognizer>();
    rec = r.get();
    all.push_back(std::move(r));
    return all;
  }()};
};

// A remote recognizer: its finish() waits on the network, and meanwhile
// checks whether another speaker could take the pool's one compute slot.
struct uploading_recognizer : recognizer {
  std::function<bool()> slot_free_meanwhile;
  bool was_free = false;
  void begin() override {}
  void feed(const int16_t*, size_t) override {}
  std::string partial() override { return {}; }
  std::string finish() override {
    if (slot_free_meanwhile)
      was_free = waiting_on_network([this] { return slot_free_meanwhile(); });
    return "uploaded";
  }
  void reset() override {}
};

std::vector<std::int16_t> ramp(std::size_t n) {
  std::vector<std::int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int16_t>(i);
  return v;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(recognition_suite, pool_fixture)

BOOST_AUTO_TEST_CASE(a_successor_hears_only_what_its_predecessor_did_not) {
  recognition r;
  const auto audio = ramp(8000);
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  r.hear(0, audio.data(), 3000);                  // the first job, killed after this
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));  // its replacement keeps the recogniser
  r.hear(0, audio.data(), 8000);                  // and is sent the whole utterance
  BOOST_CHECK_EQUAL(rec->begins, 1);
  BOOST_CHECK(rec->fed == audio);
  BOOST_CHECK_EQUAL(r.heard(), 8000u);
}

BOOST_AUTO_TEST_CASE(partials_come_every_tenth_of_a_second_of_audio) {
  recognition r;
  const auto audio = ramp(2400);
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  BOOST_CHECK(!r.hear(0, audio.data(), 1200));
  const auto p = r.hear(1200, audio.data() + 1200, 1200);
  BOOST_REQUIRE(p);
  BOOST_CHECK_EQUAL(p->text, "partial 2400");
  BOOST_CHECK(!p->speech_over);
}

// A provider's end of speech is news even when the words did not change.
BOOST_AUTO_TEST_CASE(the_engines_end_of_speech_comes_once_with_the_partial) {
  recognition r;
  const auto audio = ramp(4800);
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  rec->words = "go forward";
  BOOST_REQUIRE(r.hear(0, audio.data(), 1600));
  rec->over = true;
  const auto p = r.hear(1600, audio.data() + 1600, 1600);
  BOOST_REQUIRE(p);
  BOOST_CHECK_EQUAL(p->text, "go forward");
  BOOST_CHECK(p->speech_over);
  BOOST_CHECK(!r.hear(3200, audio.data() + 3200, 1600));
}

BOOST_AUTO_TEST_CASE(the_final_text_is_kept_and_the_recogniser_goes_back_at_once) {
  recognition r;
  const auto audio = ramp(100);
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  r.hear(0, audio.data(), audio.size());
  BOOST_CHECK_EQUAL(pool.available(), 0u);
  BOOST_CHECK_EQUAL(r.finish(), "heard 100");
  BOOST_CHECK_EQUAL(pool.available(), 1u);
  // A replacement killed-after-finish job asks again: same text, no recogniser needed.
  BOOST_CHECK(r.ensure_recognizer(pool, 0ms));
  BOOST_CHECK_EQUAL(pool.available(), 1u);
  BOOST_CHECK_EQUAL(r.finish(), "heard 100");
}

BOOST_AUTO_TEST_CASE(an_engine_that_throws_makes_the_next_job_start_over) {
  recognition r;
  const auto audio = ramp(500);
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  r.hear(0, audio.data(), 200);
  rec->throw_on_feed = true;
  BOOST_CHECK_THROW(r.hear(0, audio.data(), 500), std::runtime_error);
  BOOST_CHECK_EQUAL(r.heard(), 0u);
  BOOST_CHECK_EQUAL(pool.available(), 1u);
  rec->throw_on_feed = false;
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  r.hear(0, audio.data(), 500);
  BOOST_CHECK_EQUAL(rec->begins, 2);
  BOOST_CHECK(rec->fed == audio);
}

BOOST_AUTO_TEST_CASE(no_recogniser_free_is_reported) {
  auto held = pool.acquire(0ms);
  recognition r;
  BOOST_CHECK(!r.ensure_recognizer(pool, 10ms));
  BOOST_CHECK_EQUAL(r.finish(), "");
}

BOOST_AUTO_TEST_CASE(busy_while_an_engine_call_runs) {
  recognition r;
  const auto audio = ramp(100);
  BOOST_REQUIRE(r.ensure_recognizer(pool, 0ms));
  std::promise<void> go;
  rec->release = go.get_future().share();
  auto entered = rec->entered.get_future();
  auto call = std::async(std::launch::async, [&] { r.hear(0, audio.data(), audio.size()); });
  entered.wait();
  BOOST_CHECK(r.busy());
  go.set_value();
  call.get();
  BOOST_CHECK(!r.busy());
}

BOOST_AUTO_TEST_CASE(a_remote_upload_gives_its_compute_slot_to_another_speaker) {
  std::vector<uploading_recognizer*> ups;
  std::vector<std::unique_ptr<recognizer>> all;
  for (int i = 0; i < 2; ++i) {
    auto u = std::make_unique<uploading_recognizer>();
    ups.push_back(u.get());
    all.push_back(std::move(u));
  }
  recognizer_pool shared(std::move(all), 1);  // two recognizers, one compute slot
  recognition uploading;
  BOOST_REQUIRE(uploading.ensure_recognizer(shared, 1s));
  auto other = shared.acquire(1s);
  BOOST_REQUIRE(other.has_value());
  std::atomic<bool> urgent{false};
  for (auto* u : ups)
    u->slot_free_meanwhile = [&] {
      // Taking the only slot blocks unless the upload gave it up.
      auto taken = std::async(std::launch::async, [&] { auto slot = other->compute(urgent); });
      return taken.wait_for(5s) == std::future_status::ready;
    };
  BOOST_TEST(uploading.finish() == "uploaded");
  BOOST_TEST((ups[0]->was_free || ups[1]->was_free));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace parley::stt
