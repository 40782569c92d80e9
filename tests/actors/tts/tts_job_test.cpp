// tts_job: a sentence's audio leaves in pieces, the first one short, so the
// reply can start before the sentence is synthesised to its end.

#include "actors/tts/tts_job.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <memory>
#include <vector>

#include "actors/engines/engine_catalog.hpp"
#include "actors/tts/null_tts_engine.hpp"
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
  caf::actor job;
  std::shared_ptr<runtime::cancel_token> cancel = std::make_shared<runtime::cancel_token>();

  // The session is the job's supervisor: the job reports ready to it.
  explicit job_fixture(std::chrono::milliseconds speech = 400ms) {
    auto catalog = std::make_shared<engines::engine_catalog>();
    catalog->publish(std::make_shared<tts::null_engine>(tts::null_tts_config{speech}));
    runtime::child_context ctx{7, caf::actor_cast<caf::actor>(session), nullptr, cancel};
    job = tts::tts_job_spec(42, catalog).start(session.ptr(), ctx);
    session->receive([](ready_atom, runtime::actor_id id) { BOOST_CHECK_EQUAL(id, 7u); },
                     caf::after(10s) >> [] { BOOST_FAIL("the job never said it was ready"); });
  }

  // The pieces of one sentence, up to and including its last.
  std::vector<sentence_audio> pieces() {
    std::vector<sentence_audio> out;
    bool done = false;
    session->receive_while([&] { return !done; })(
        [&](sentence_audio& a) {
          done = a.sentence_done;
          out.push_back(std::move(a));
        },
        caf::after(10s) >>
            [&] {
              BOOST_ERROR("a sentence never finished");
              done = true;
            });
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tts_job_suite)

// A stopped job (barge-in) stops synthesising: the sentence never finishes,
// nothing fails, and the job ends.
BOOST_AUTO_TEST_CASE(a_cancelled_job_stops_synthesising_and_ends_quietly) {
  job_fixture f(4000ms);  // 200 frames, in pieces of 25
  f.session->monitor(f.job);
  f.session->send(f.job, reply_sentence{42, 0, "a long sentence", false});
  f.session->receive([](sentence_audio& first) { BOOST_CHECK(!first.sentence_done); },
                     caf::after(10s) >> [] { BOOST_FAIL("no first piece"); });
  // What the session's stop does: cancel, then ask it to exit.
  f.cancel->cancel();
  caf::anon_send_exit(f.job, caf::exit_reason::user_shutdown);
  bool ended = false;
  std::size_t more = 0;
  f.session->receive_while([&] { return !ended; })(
      [&](sentence_audio& a) {
        BOOST_CHECK(!a.sentence_done);
        ++more;
      },
      [&](job_failed&) { BOOST_ERROR("a cancel is not a failure"); },
      [&](const caf::down_msg& d) {
        // Not a normal exit of its own: its supervisor knows it was stopped.
        BOOST_CHECK(d.reason == caf::exit_reason::user_shutdown);
        ended = true;
      },
      caf::after(10s) >>
          [&] {
            BOOST_ERROR("the job went on");
            ended = true;
          });
  BOOST_CHECK_LT(more, 7u);  // far fewer than the 8 pieces of the whole sentence
}

// A job killed in the middle of an engine call (chaos) ends as killed, not
// as done, so its supervisor restarts it from the first sentence not sent.
BOOST_AUTO_TEST_CASE(a_job_killed_mid_synthesis_ends_killed_not_done) {
  job_fixture f(4000ms);
  f.session->monitor(f.job);
  f.session->send(f.job, reply_sentence{42, 0, "a long sentence", false});
  f.session->receive([](sentence_audio&) {},
                     caf::after(10s) >> [] { BOOST_FAIL("no first piece"); });
  f.cancel->cancel();  // what the registry's kill does
  caf::anon_send_exit(f.job, caf::exit_reason::kill);
  bool ended = false;
  f.session->receive_while([&] { return !ended; })(
      [](sentence_audio&) {}, [](job_failed&) {},
      [&](const caf::down_msg& d) {
        BOOST_CHECK(d.reason == caf::exit_reason::kill);
        ended = true;
      },
      caf::after(10s) >>
          [&] {
            BOOST_ERROR("the killed job went on");
            ended = true;
          });
}

BOOST_AUTO_TEST_CASE(the_first_piece_is_60_ms_and_the_pieces_add_up_to_the_sentence) {
  job_fixture f;  // 400 ms of speech: 20 frames
  f.session->send(f.job, reply_sentence{42, 0, "hello there", false});
  const auto got = f.pieces();
  BOOST_REQUIRE_GE(got.size(), 2u);
  BOOST_CHECK_EQUAL(got.front().frames.size(), 3u);
  BOOST_CHECK(!got.front().sentence_done);
  std::uint32_t next = 0;
  for (const auto& p : got) {
    BOOST_CHECK_EQUAL(p.turn, 42u);
    BOOST_CHECK_EQUAL(p.index, 0u);
    BOOST_CHECK_EQUAL(p.first_frame, next);  // no gap, no overlap
    BOOST_CHECK(!p.final);
    for (const auto& frame : p.frames) BOOST_CHECK(!frame.empty());
    next += static_cast<std::uint32_t>(p.frames.size());
  }
  BOOST_CHECK_EQUAL(next, 20u);
}

BOOST_AUTO_TEST_CASE(a_long_sentence_comes_in_pieces_of_25_frames_and_the_final_ends_the_job) {
  job_fixture f(1200ms);  // 60 frames: 3, 25, 25, then the last 7
  f.session->monitor(f.job);
  f.session->send(f.job, reply_sentence{42, 0, "a long sentence", true});
  const auto got = f.pieces();
  std::vector<std::size_t> sizes;
  for (const auto& p : got) sizes.push_back(p.frames.size());
  const std::vector<std::size_t> expected{3, 25, 25, 7};
  BOOST_CHECK_EQUAL_COLLECTIONS(sizes.begin(), sizes.end(), expected.begin(), expected.end());
  BOOST_CHECK(got.back().final && got.back().sentence_done);
  bool ended = false;
  f.session->receive([&](caf::down_msg&) { ended = true; },
                     caf::after(10s) >> [] { BOOST_ERROR("the job outlived the reply"); });
  BOOST_CHECK(ended);
}

BOOST_AUTO_TEST_CASE(an_empty_final_sentence_closes_the_reply_without_frames) {
  job_fixture f;
  f.session->send(f.job, reply_sentence{42, 1, "", true});
  const auto got = f.pieces();
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_CHECK(got[0].frames.empty());
  BOOST_CHECK(got[0].sentence_done && got[0].final);
  BOOST_CHECK_EQUAL(got[0].index, 1u);
}

BOOST_AUTO_TEST_SUITE_END()
