// guild_session driven through the in-process test transport: no sockets,
// no wire format, only the transport contract (messages/transport.hpp) and
// the typed events the session sends.

#include <boost/test/unit_test.hpp>

#include "actors/audio/opus_codec.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/test_transport.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace parley::messages;
using namespace std::chrono_literals;

namespace {

struct session_fixture : test::app_fixture {
  std::unique_ptr<test::test_member> member(const std::string& guild, const std::string& user) {
    auto m = std::make_unique<test::test_member>(app.system(), app.root(), guild, user);
    BOOST_REQUIRE(m->wait_joined(10s));
    return m;
  }
};

bool any_answered(const std::vector<session_event>& evs, std::size_t) {
  return test::find_event(evs, event_type::audio_ended) >= 0;
}

// The events of one turn, in the order the session must send them.
void check_turn_order(const std::vector<session_event>& evs, std::uint64_t turn) {
  const auto transcript = test::find_event(evs, event_type::transcript, turn);
  const auto reply = test::find_event(evs, event_type::reply, turn);
  const auto started = test::find_event(evs, event_type::audio_started, turn);
  const auto ended = test::find_event(evs, event_type::audio_ended, turn);
  BOOST_REQUIRE(transcript >= 0 && reply >= 0 && started >= 0 && ended >= 0);
  BOOST_CHECK_LT(transcript, reply);
  BOOST_CHECK_LT(reply, started);
  BOOST_CHECK_LT(started, ended);
  BOOST_CHECK_EQUAL(test::find_event(evs, event_type::error, turn), -1);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(session_contract, session_fixture)

BOOST_AUTO_TEST_CASE(a_typed_turn_is_answered_in_order_and_every_frame_is_counted) {
  auto ann = member("contract", "ann");
  ann->type("what time is it");
  BOOST_REQUIRE(ann->wait_until(any_answered, 20s));
  const auto evs = ann->events();
  const auto turn = evs.at(test::find_event(evs, event_type::transcript)).turn;
  check_turn_order(evs, turn);
  const auto& t = evs.at(test::find_event(evs, event_type::transcript, turn));
  BOOST_CHECK_EQUAL(t.user, "ann");
  BOOST_CHECK_EQUAL(t.text, "what time is it");
  BOOST_CHECK(t.final);
  BOOST_CHECK(evs.at(test::find_event(evs, event_type::reply, turn)).text.find("It is") == 0);
  const auto frames = evs.at(test::find_event(evs, event_type::audio_ended, turn)).frames;
  BOOST_CHECK_GT(frames, 25u);
  BOOST_CHECK_EQUAL(ann->reply_frames(), frames);
}

BOOST_AUTO_TEST_CASE(spoken_frames_are_heard_answered_and_acknowledged) {
  auto bea = member("contract-speech", "bea");
  const auto packets = test::goforward_packets();
  for (const auto& p : packets) bea->send_audio(p);  // all at once: the audio is the clock
  BOOST_REQUIRE(bea->wait_until(any_answered, 30s));
  const auto evs = bea->events();
  const auto turn = evs.at(test::find_event(evs, event_type::speech_started)).turn;
  BOOST_CHECK_EQUAL(evs.at(test::find_event(evs, event_type::speech_started)).user, "bea");
  BOOST_CHECK_GE(test::find_event(evs, event_type::speech_ended, turn), 0);
  check_turn_order(evs, turn);
  std::string final_text;
  for (const auto& e : evs)
    if (e.type == event_type::transcript && e.turn == turn && e.final) final_text = e.text;
  BOOST_CHECK_EQUAL(final_text, "go forward ten meters");
  // The utterance is held by the session now: the transport keeps only the
  // silence after it, not the speech.
  BOOST_CHECK_LT(bea->unacked(), packets.size() / 2);
}

BOOST_AUTO_TEST_CASE(every_member_of_the_room_hears_the_reply) {
  auto cy = member("contract-room", "cy");
  auto dee = member("contract-room", "dee");
  cy->type("what is the date");
  for (auto* m : {cy.get(), dee.get()}) BOOST_REQUIRE(m->wait_until(any_answered, 20s));
  const auto a = cy->events();
  const auto b = dee->events();
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_CHECK(a[i].type == b[i].type);
    BOOST_CHECK_EQUAL(a[i].text, b[i].text);
  }
  BOOST_CHECK_EQUAL(cy->reply_frames(), dee->reply_frames());
}

BOOST_AUTO_TEST_CASE(a_second_join_as_the_same_user_replaces_the_first) {
  auto first = member("contract-twice", "eve");
  auto second = member("contract-twice", "eve");
  BOOST_REQUIRE(first->wait_until(
      [](auto& evs, std::size_t) { return test::find_event(evs, event_type::error) >= 0; }, 10s));
  const auto evs = first->events();
  BOOST_CHECK(evs.at(test::find_event(evs, event_type::error)).code == error_code::replaced);
  second->type("status");
  BOOST_REQUIRE(second->wait_until(any_answered, 20s));
  BOOST_CHECK_EQUAL(test::find_event(first->events(), event_type::reply), -1);
}

BOOST_AUTO_TEST_CASE(audio_that_does_not_decode_is_an_error_for_its_sender_only) {
  auto fay = member("contract-bad", "fay");
  auto gus = member("contract-bad", "gus");
  fay->send_audio({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  BOOST_REQUIRE(fay->wait_until(
      [](auto& evs, std::size_t) { return test::find_event(evs, event_type::error) >= 0; }, 10s));
  const auto evs = fay->events();
  BOOST_CHECK(evs.at(test::find_event(evs, event_type::error)).code == error_code::bad_audio);
  // Gus's own turn still gets its answer, and he never saw Fay's error.
  gus->type("help");
  BOOST_REQUIRE(gus->wait_until(any_answered, 20s));
  BOOST_CHECK_EQUAL(test::find_event(gus->events(), event_type::error), -1);
}

// A member whose connection dies while its reply plays comes back with its
// token: it gets the rest of the reply — no event and no packet lost or
// repeated — while the room's reply went on for the others.
BOOST_AUTO_TEST_CASE(a_member_that_comes_back_with_its_token_gets_the_rest_of_the_reply) {
  auto ann = member("contract-resume", "ann");
  auto bo = member("contract-resume", "bo");  // a witness: hears everything
  ann->type("repeat after me one two three four five six seven eight nine ten eleven twelve");
  BOOST_REQUIRE(ann->wait_until([](auto&, std::size_t frames) { return frames >= 10; }, 20s));
  ann->kill();
  const auto came_back = ann->resume_with();
  const auto frames_before = ann->reply_frames();
  // The reply goes on for the room meanwhile.
  BOOST_REQUIRE(
      bo->wait_until([&](auto&, std::size_t frames) { return frames >= frames_before + 25; }, 20s));
  test::test_member again(app.system(), app.root(), "contract-resume", "ann", came_back);
  BOOST_REQUIRE(again.wait_joined(10s));
  BOOST_REQUIRE(again.wait_until(any_answered, 20s));
  BOOST_REQUIRE(bo->wait_until(any_answered, 20s));
  BOOST_CHECK_EQUAL(again.resume_with().token, came_back.token);  // the same member
  // Ann's two connections together heard exactly what Bo heard.
  auto heard = ann->events();
  for (const auto& e : again.events()) heard.push_back(e);
  const auto witness = bo->events();
  BOOST_REQUIRE_EQUAL(heard.size(), witness.size());
  for (std::size_t i = 0; i < heard.size(); ++i) {
    BOOST_CHECK_EQUAL(to_string(heard[i].type), to_string(witness[i].type));
    BOOST_CHECK_EQUAL(heard[i].text, witness[i].text);
  }
  BOOST_CHECK_EQUAL(frames_before + again.reply_frames(), bo->reply_frames());
  const auto ended = witness.at(test::find_event(witness, event_type::audio_ended));
  BOOST_CHECK_EQUAL(bo->reply_frames(), ended.frames);
}

BOOST_AUTO_TEST_CASE(a_member_that_comes_back_with_a_wrong_token_starts_afresh) {
  auto cal = member("contract-late", "cal");
  auto dot = member("contract-late", "dot");
  cal->type("status");
  BOOST_REQUIRE(cal->wait_until(any_answered, 20s));
  cal->kill();
  const auto came_back = cal->resume_with();
  auto wrong = came_back;
  wrong.token = "not-the-token";
  test::test_member stranger(app.system(), app.root(), "contract-late", "cal", wrong);
  BOOST_REQUIRE(stranger.wait_joined(10s));
  BOOST_CHECK_NE(stranger.resume_with().token, came_back.token);
  BOOST_CHECK(stranger.events().empty());  // nothing of cal's is handed to a wrong token
  BOOST_CHECK(dot->events().size() > 0);
}

// A DTX encoder's silence stays with the member while nobody speaks (no
// message to the audio_stream for it), and still ends the turn of someone
// who does: here it comes all at once, before the member hears that the
// speech began, as it can in a busy room.
BOOST_AUTO_TEST_CASE(dtx_silence_costs_the_core_nothing_until_it_ends_a_turn) {
  auto fay = member("contract-dtx", "fay");
  const auto dtx =
      client::silence_packets(true);  // a refresh period: one-byte packets, one refresh
  std::size_t sent = 0, kept = 0;
  auto say = [&](const std::vector<client::bytes>& packets) {
    for (const auto& p : packets) {
      fay->send_audio(p);
      ++sent;
    }
  };
  for (int i = 0; i < 5; ++i) {
    say(dtx);
    for (const auto& p : dtx) kept += p.size() <= audio::opus_dtx_packet_bytes ? 1 : 0;
  }
  say(test::goforward_packets(0ms));
  for (int i = 0; i < 3; ++i) say(dtx);
  BOOST_REQUIRE(fay->wait_until(any_answered, 30s));
  std::string final_text;
  for (const auto& e : fay->events())
    if (e.type == event_type::transcript && e.final) final_text = e.text;
  BOOST_CHECK_EQUAL(final_text, "go forward ten meters");
  const auto body = test::get(url("/metrics")).body;
  const auto at = body.find("\nparley_frames_in_total ");
  BOOST_REQUIRE(at != std::string::npos);
  const auto frames_in = std::stod(body.substr(at + 24));
  BOOST_TEST_MESSAGE(frames_in << " of " << sent << " packets reached the audio_stream");
  BOOST_CHECK_GE(kept, 90u);
  BOOST_CHECK_LE(frames_in, static_cast<double>(sent - kept));
}

BOOST_AUTO_TEST_SUITE_END()
