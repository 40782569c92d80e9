// stt_job as its session sees it: the utterance in, a final transcript out;
// no engine is a failure not worth retrying; a stop ends a job still
// waiting for a recogniser at once; a replacement resumes the recognition.

#include "actors/stt/stt_job.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/stt/null_stt_engine.hpp"
#include "actors/stt/recognition.hpp"
#include "messages/supervision.hpp"
#include "messages/voice.hpp"

using namespace parley;
using namespace parley::messages;
using namespace std::chrono_literals;

namespace {

struct job_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor session{sys};
  stt::null_engine engine{"go forward ten meters"};
  std::shared_ptr<engines::engine_catalog> catalog = std::make_shared<engines::engine_catalog>();
  std::shared_ptr<stt::recognition> heard = std::make_shared<stt::recognition>();
  std::shared_ptr<runtime::cancel_token> cancel = std::make_shared<runtime::cancel_token>();
  std::shared_ptr<stt::recognizer_pool> pool;

  explicit job_fixture(bool with_engine = true) {
    if (!with_engine) return;
    pool = std::make_shared<stt::recognizer_pool>(engine, 1);
    catalog->publish(pool);
  }

  caf::actor start() {
    runtime::child_context ctx{5, caf::actor_cast<caf::actor>(session), nullptr, cancel};
    auto job = stt::stt_job_spec(42, "alice", catalog, heard).start(session.ptr(), ctx);
    session->monitor(job);
    return job;
  }

  void expect_ready() {
    session->receive([](ready_atom, runtime::actor_id id) { BOOST_CHECK_EQUAL(id, 5u); },
                     caf::after(10s) >> [] { BOOST_FAIL("the job never said it was ready"); });
  }

  void expect_end() {
    session->receive([](const caf::down_msg&) {},
                     caf::after(10s) >> [] { BOOST_FAIL("the job did not end"); });
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(stt_job_actor)

BOOST_AUTO_TEST_CASE(the_utterance_becomes_a_final_transcript) {
  job_fixture f;
  auto job = f.start();
  f.session->send(job, speech_audio{"alice", pcm(16000, 0)});
  f.session->send(job, finish_atom::value);
  f.expect_ready();
  f.session->receive(
      [](transcript& t) {
        BOOST_CHECK_EQUAL(t.turn, 42u);
        BOOST_CHECK(t.final);
        BOOST_CHECK_EQUAL(t.text, "go forward ten meters");
      },
      caf::after(10s) >> [] { BOOST_FAIL("no transcript"); });
  f.expect_end();
}

BOOST_AUTO_TEST_CASE(no_engine_fails_without_a_retry) {
  job_fixture f(false);
  f.start();
  f.session->receive(
      [](job_failed& e) {
        BOOST_CHECK_EQUAL(e.stage, "stt");
        BOOST_CHECK(!e.retry);
      },
      caf::after(10s) >> [] { BOOST_FAIL("no failure reported"); });
  f.expect_end();
}

BOOST_AUTO_TEST_CASE(a_stopped_job_waiting_for_a_recogniser_ends_at_once) {
  job_fixture f;
  auto busy = f.pool->acquire(0ms);  // another turn holds the only recogniser
  BOOST_REQUIRE(busy);
  auto job = f.start();
  f.session->receive(
      [](ready_atom, runtime::actor_id) { BOOST_ERROR("ready without a recogniser"); },
      caf::after(200ms) >> [] {});
  const auto t0 = std::chrono::steady_clock::now();
  f.cancel->cancel();  // what the session's stop does
  caf::anon_send_exit(job, caf::exit_reason::user_shutdown);
  f.session->receive(
      [](const caf::down_msg& d) { BOOST_CHECK(d.reason == caf::exit_reason::user_shutdown); },
      [](job_failed&) { BOOST_ERROR("a stop is not a failure"); },
      caf::after(10s) >> [] { BOOST_FAIL("the job kept waiting"); });
  BOOST_CHECK(std::chrono::steady_clock::now() - t0 < 5s);  // not the 10 s wait
}

BOOST_AUTO_TEST_CASE(a_replacement_goes_on_with_the_turns_recognition) {
  job_fixture f;
  auto first = f.start();
  f.session->send(first, speech_audio{"alice", pcm(8000, 0)});
  f.expect_ready();
  caf::anon_send_exit(first, caf::exit_reason::kill);
  f.expect_end();
  // The turn's recogniser stays leased to the turn, not to the dead job.
  BOOST_CHECK_EQUAL(f.pool->available(), 0u);
  f.cancel = std::make_shared<runtime::cancel_token>();
  auto second = f.start();
  f.session->send(second, speech_audio{"alice", pcm(16000, 0)});
  f.session->send(second, finish_atom::value);
  f.expect_ready();
  f.session->receive([](transcript& t) { BOOST_CHECK(t.final); },
                     caf::after(10s) >> [] { BOOST_FAIL("the replacement gave no transcript"); });
  f.expect_end();
  BOOST_CHECK_EQUAL(f.pool->available(), 1u);  // given back once the turn is heard
}

BOOST_AUTO_TEST_SUITE_END()
