// audio_stream as its session sees it: Opus frames in; barge-in ahead of
// speech start, the speech, its end and idle acknowledgements out. Frames
// seen before (a replay) are not heard twice.

#include "actors/audio/audio_stream.hpp"

#include <prometheus/registry.h>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/session/voice_metrics.hpp"
#include "loadtest/client/speech.hpp"
#include "messages/supervision.hpp"
#include "messages/transport.hpp"
#include "messages/voice.hpp"
#include "tests/actors/audio/audio_test_util.hpp"

using namespace parley;
using namespace parley::messages;
using namespace std::chrono_literals;

namespace {

struct stream_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor session{sys};
  prometheus::Registry registry;
  session::voice_metrics stats{registry};
  caf::actor stream;

  // The session is the stream's supervisor: the stream reports ready to it.
  stream_fixture() {
    runtime::child_context ctx{3, caf::actor_cast<caf::actor>(session), nullptr,
                               std::make_shared<runtime::cancel_token>()};
    stream = audio::audio_stream_spec("g", "alice", audio::vad_config{}, &stats)
                 .start(session.ptr(), ctx);
    session->receive([](ready_atom, runtime::actor_id id) { BOOST_CHECK_EQUAL(id, 3u); },
                     caf::after(10s) >> [] { BOOST_FAIL("the stream never said it was ready"); });
  }
  ~stream_fixture() { caf::anon_send_exit(stream, caf::exit_reason::user_shutdown); }

  // goforward.raw, then a second of silence, as numbered frames from `first`.
  std::uint64_t send_utterance(std::uint64_t first) {
    auto packets = client::encode_speech(audio::test::load_raw(audio::test::goforward_path));
    for (int i = 0; i < 50; ++i) packets.push_back(client::silence_packet());
    auto seq = first;
    for (auto& p : packets) session->send(stream, audio_frame{seq++, p});
    return seq - 1;
  }

  // What the stream said about one utterance, until its end.
  struct heard {
    std::vector<std::string> order;  // message kinds as they arrived
    std::size_t samples = 0;
    std::uint64_t first_seq = 0, last_seq = 0;
  };
  heard until_speech_end() {
    heard h;
    bool done = false;
    session->receive_while([&] { return !done; })(
        [&](barge_in& b) {
          BOOST_CHECK_EQUAL(b.user, "alice");
          h.order.emplace_back("barge_in");
        },
        [&](speech_start& s) {
          h.first_seq = s.first_seq;
          h.order.emplace_back("speech_start");
        },
        [&](speech_audio& a) { h.samples += a.samples.size(); },
        [&](speech_end& e) {
          h.last_seq = e.last_seq;
          h.order.emplace_back("speech_end");
          done = true;
        },
        [&](const std::string&, frames_done&) {},
        caf::after(10s) >>
            [&] {
              BOOST_ERROR("the utterance never ended");
              done = true;
            });
    return h;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(audio_stream_actor, stream_fixture)

BOOST_AUTO_TEST_CASE(speech_is_framed_by_barge_in_start_and_end) {
  const auto last = send_utterance(1);
  const auto h = until_speech_end();
  BOOST_REQUIRE_EQUAL(h.order.size(), 3u);
  BOOST_CHECK_EQUAL(h.order[0], "barge_in");
  BOOST_CHECK_EQUAL(h.order[1], "speech_start");
  BOOST_CHECK_EQUAL(h.order[2], "speech_end");
  BOOST_CHECK_GE(h.first_seq, 1u);
  BOOST_CHECK_LT(h.first_seq, h.last_seq);
  BOOST_CHECK_LE(h.last_seq, last);
  BOOST_CHECK_GT(h.samples, 16000u);  // over a second of speech at 16 kHz
}

BOOST_AUTO_TEST_CASE(replayed_frames_are_not_heard_again) {
  const auto last = send_utterance(1);
  until_speech_end();
  send_utterance(1);  // a transport's replay of what the stream already had
  session->receive([](speech_start&) { BOOST_ERROR("a replay was heard as new speech"); },
                   [](barge_in&) { BOOST_ERROR("a replay barged in"); },
                   [](const std::string&, frames_done&) {}, caf::after(300ms) >> [] {});
  // What comes after is heard.
  send_utterance(last + 1);
  const auto h = until_speech_end();
  BOOST_CHECK_GT(h.first_seq, last);
}

BOOST_AUTO_TEST_CASE(after_skip_the_held_frames_are_not_heard_twice) {
  session->send(stream, skip_atom::value, std::uint64_t{500});
  send_utterance(1);  // all at or below 500: held by the session already
  session->receive([](speech_start&) { BOOST_ERROR("held frames were heard again"); },
                   [](barge_in&) {}, [](const std::string&, frames_done&) {},
                   caf::after(300ms) >> [] {});
  send_utterance(501);
  const auto h = until_speech_end();
  BOOST_CHECK_GT(h.first_seq, 500u);
}

BOOST_AUTO_TEST_CASE(a_bad_packet_is_reported_and_the_stream_goes_on) {
  session->send(stream, audio_frame{1, bytes{0xff, 0xff, 0xff}});
  session->receive([](bad_audio& b) { BOOST_CHECK_EQUAL(b.user, "alice"); },
                   caf::after(10s) >> [] { BOOST_FAIL("no bad_audio for a broken packet"); });
  send_utterance(2);
  BOOST_CHECK_EQUAL(until_speech_end().order.size(), 3u);
}

BOOST_AUTO_TEST_CASE(silence_is_acknowledged_in_batches_that_hold_the_preroll) {
  for (std::uint64_t seq = 1; seq <= 100; ++seq)
    session->send(stream, audio_frame{seq, client::silence_packet()});
  std::uint64_t acked = 0;
  session->receive_while([&] { return acked < 50; })(
      [&](const std::string& user, frames_done& d) {
        BOOST_CHECK_EQUAL(user, "alice");
        BOOST_CHECK_GT(d.seq, acked);
        acked = d.seq;
      },
      caf::after(10s) >>
          [&] {
            BOOST_ERROR("no acknowledgement of the silence");
            acked = 100;
          });
  BOOST_CHECK_LT(acked, 100u);  // the pre-roll window stays held
}

BOOST_AUTO_TEST_SUITE_END()
