// The agent job as its session sees it: the reply sentence by sentence, a
// closing final; an engine's error is worth a retry, a missing engine is
// not; a stopped job ends without a word.

#include "actors/agent/agent_job.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <condition_variable>
#include <mutex>

#include "actors/engines/engine_catalog.hpp"
#include "messages/supervision.hpp"
#include "messages/voice.hpp"

using namespace parley;
using namespace parley::messages;
using namespace std::chrono_literals;

namespace {

// An engine that says what it is told to, or fails, or waits for a cancel.
class scripted_engine final : public agent::agent_engine {
 public:
  std::vector<std::string> pieces;
  std::optional<std::string> error;
  bool wait_for_cancel = false;

  std::string name() const override { return "scripted"; }
  std::optional<std::string> respond(const agent::agent_request& req,
                                     const agent::text_sink& on_text) override {
    for (const auto& p : pieces)
      if (!on_text(p)) return std::nullopt;
    if (wait_for_cancel) {
      std::mutex m;
      std::condition_variable woken;
      req.cancel->set_waker([&] {
        std::lock_guard<std::mutex> g(m);
        woken.notify_all();
      });
      std::unique_lock<std::mutex> l(m);
      woken.wait_for(l, 10s, [&] { return req.cancel->cancelled(); });
      req.cancel->set_waker(nullptr);
    }
    return error;
  }
};

struct job_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor session{sys};
  std::shared_ptr<engines::engine_catalog> catalog = std::make_shared<engines::engine_catalog>();
  std::shared_ptr<scripted_engine> engine = std::make_shared<scripted_engine>();
  std::shared_ptr<runtime::cancel_token> cancel = std::make_shared<runtime::cancel_token>();

  explicit job_fixture(bool with_engine = true) {
    if (with_engine) catalog->publish(std::shared_ptr<agent::agent_engine>(engine));
  }

  caf::actor start() {
    agent::agent_request req;
    req.user = "alice";
    req.transcript = "hello";
    runtime::child_context ctx{9, caf::actor_cast<caf::actor>(session), nullptr, cancel};
    auto job = agent::agent_job_spec(7, req, catalog).start(session.ptr(), ctx);
    session->monitor(job);
    return job;
  }

  std::vector<reply_sentence> sentences_until_end() {
    std::vector<reply_sentence> out;
    bool ended = false;
    session->receive_while([&] { return !ended; })(
        [&](ready_atom, runtime::actor_id id) { BOOST_CHECK_EQUAL(id, 9u); },
        [&](reply_sentence& r) { out.push_back(std::move(r)); },
        [&](const caf::down_msg&) { ended = true; },
        caf::after(10s) >>
            [&] {
              BOOST_ERROR("the job did not end");
              ended = true;
            });
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(agent_job_actor)

BOOST_AUTO_TEST_CASE(the_reply_leaves_sentence_by_sentence_then_a_final) {
  job_fixture f;
  f.engine->pieces = {"It is ten o'", "clock. Anything ", "else?"};
  f.start();
  const auto s = f.sentences_until_end();
  BOOST_REQUIRE_EQUAL(s.size(), 2u);
  BOOST_CHECK_EQUAL(s[0].text, "It is ten o'clock.");
  BOOST_CHECK(!s[0].final);
  BOOST_CHECK_EQUAL(s[1].text, "Anything else?");
  BOOST_CHECK(s[1].final);
  BOOST_CHECK_EQUAL(s[1].index, 1u);
  BOOST_CHECK_EQUAL(s[1].turn, 7u);
}

BOOST_AUTO_TEST_CASE(an_engine_error_is_worth_a_retry) {
  job_fixture f;
  f.engine->error = "HTTP 500";
  f.start();
  f.session->receive(
      [](job_failed& e) {
        BOOST_CHECK_EQUAL(e.stage, "agent");
        BOOST_CHECK_EQUAL(e.reason, "HTTP 500");
        BOOST_CHECK(e.retry);
      },
      [](ready_atom, runtime::actor_id) {}, caf::after(10s) >> [] { BOOST_FAIL("no failure"); });
}

BOOST_AUTO_TEST_CASE(a_missing_engine_is_not_retried) {
  job_fixture f(false);
  f.start();
  bool failed = false;
  f.session->receive_while([&] { return !failed; })(
      [&](job_failed& e) {
        BOOST_CHECK(!e.retry);
        failed = true;
      },
      [](ready_atom, runtime::actor_id) {},
      caf::after(10s) >>
          [&] {
            BOOST_ERROR("no failure");
            failed = true;
          });
}

BOOST_AUTO_TEST_CASE(a_stopped_job_ends_without_a_word) {
  job_fixture f;
  f.engine->pieces = {"First. "};
  f.engine->wait_for_cancel = true;
  auto job = f.start();
  f.session->receive([](ready_atom, runtime::actor_id) {},
                     caf::after(10s) >> [] { BOOST_FAIL("not ready"); });
  f.session->receive([](reply_sentence& r) { BOOST_CHECK(!r.final); },
                     caf::after(10s) >> [] { BOOST_FAIL("no first sentence"); });
  f.cancel->cancel();  // what the session's stop does
  caf::anon_send_exit(job, caf::exit_reason::user_shutdown);
  bool ended = false;
  f.session->receive_while([&] { return !ended; })(
      [](reply_sentence&) { BOOST_ERROR("a stopped job went on talking"); },
      [](job_failed&) { BOOST_ERROR("a stop is not a failure"); },
      [&](const caf::down_msg& d) {
        BOOST_CHECK(d.reason == caf::exit_reason::user_shutdown);
        ended = true;
      },
      caf::after(10s) >>
          [&] {
            BOOST_ERROR("the job did not end");
            ended = true;
          });
}

BOOST_AUTO_TEST_SUITE_END()
