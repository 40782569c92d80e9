// Whole turns over the real WebSocket with the embedded engines: recorded
// speech in, transcript, reply and decodable reply audio out.

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctime>
#include <set>

#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(voice_turn, test::app_fixture)

BOOST_AUTO_TEST_CASE(spoken_utterance_gets_transcript_reply_and_audio) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("g1", "alice"));
  client::stream_paced(*c, test::goforward_packets(), client::clock::now());
  BOOST_REQUIRE(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 15s));
  const auto started = c->wait_for("speech_started", 0ms);
  const auto ended = c->wait_for("speech_ended", 0ms);
  BOOST_REQUIRE(started && ended);
  std::optional<client::event> final;
  while (auto t = c->wait_for("transcript", 0ms))
    if (t->body["final"]) final = t;
  BOOST_REQUIRE(final);
  BOOST_CHECK_EQUAL(final->body["text"], "go forward ten meters");
  BOOST_CHECK_EQUAL(final->body["user"], "alice");
  auto reply = c->wait_for("reply", 0ms);
  BOOST_REQUIRE(reply);
  BOOST_CHECK(!reply->body["text"].get<std::string>().empty());
  BOOST_REQUIRE(c->wait_for("audio_started", 0ms));
  // Every reply packet decodes to 20 ms of audible speech.
  audio::opus_decoder dec;
  const auto packets = c->audio();
  BOOST_REQUIRE_GT(packets.size(), 25u);
  double energy = 0;
  for (const auto& p : packets) {
    auto d = dec.decode(p.opus);
    BOOST_REQUIRE_MESSAGE(d.ok(), d.error);
    BOOST_REQUIRE_EQUAL(d.pcm.size(), 960u);
    for (auto s : d.pcm) energy += double(s) * s;
  }
  BOOST_CHECK_GT(std::sqrt(energy / (packets.size() * 960.0)), 300.0);
  // Paced in real time: 20 ms apart on average.
  const auto span = packets.back().at - packets.front().at;
  const auto expected = std::chrono::milliseconds(20 * (packets.size() - 1));
  BOOST_CHECK(span > expected * 0.9 && span < expected * 1.3);
}

// The session's state label (the ops console's) follows a turn and comes
// back to listening: a room at rest keeps no timer, and a new turn wakes it.
BOOST_AUTO_TEST_CASE(the_session_state_label_follows_the_turn_and_comes_back_to_rest) {
  auto label_of = [](const std::vector<runtime::actor_info>& all) {
    for (const auto& a : all)
      if (a.kind == "guild_session" && a.tags.count("guild") && a.tags.at("guild") == "label" &&
          a.tags.count("state"))
        return a.tags.at("state");
    return std::string();
  };
  auto comes_to_rest = [&](std::chrono::milliseconds limit) {
    return app.registry().wait_until([&](auto& all) { return label_of(all) == "listening"; },
                                     limit);
  };
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("label", "alice"));
  BOOST_REQUIRE(comes_to_rest(15s));
  for (int turn = 0; turn < 2; ++turn) {  // the second turn wakes a label at rest
    std::set<std::string> seen;
    const auto from = c->events().size();
    client::stream_paced(*c, test::goforward_packets(), client::clock::now());
    // (the microphone stays open: its silence ends the turn)
    BOOST_REQUIRE(test::keep_talking_until(
        *c,
        [&](auto& evs, std::size_t) {
          seen.insert(label_of(app.registry().snapshot()));
          for (auto i = from; i < evs.size(); ++i)
            if (evs[i].type() == "audio_ended") return true;
          return false;
        },
        15s));
    BOOST_CHECK(seen.count("thinking") + seen.count("speaking") > 0);
    BOOST_CHECK(comes_to_rest(5s));
  }
}

BOOST_AUTO_TEST_CASE(what_time_is_it_gets_the_current_time) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("g2", "bob"));
  c->send_json({{"type", "text"}, {"text", "what time is it"}});
  auto reply = c->wait_for("reply", 10s);
  BOOST_REQUIRE(reply);
  const std::string text = reply->body["text"];
  // The local hour as the agent says it, e.g. "It is 2:26 PM."
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  BOOST_CHECK_MESSAGE(text.rfind("It is " + std::to_string(hour12) + ":", 0) == 0, text);
  BOOST_CHECK(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 10s));
}

BOOST_AUTO_TEST_CASE(barge_in_stops_the_reply_within_100_ms) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("g3", "carol"));
  c->send_json({{"type", "text"},
                {"text",
                 "repeat after me this is a long reply that takes several seconds to say out "
                 "loud so that there is time to interrupt it while it plays"}});
  BOOST_REQUIRE(test::keep_talking_until(
      *c,
      [](auto& evs, std::size_t audio) { return test::has(evs, "audio_started") && audio > 10; },
      10s));
  client::stream_paced(*c, test::goforward_packets(400ms), client::clock::now());
  auto interrupted = c->wait_for("interrupted", 5s);
  auto started = c->wait_for("speech_started", 0ms);
  BOOST_REQUIRE(interrupted && started);
  const auto reaction = interrupted->at - started->at;
  const double reaction_ms = std::chrono::duration<double, std::milli>(reaction).count();
  BOOST_TEST_MESSAGE("barge-in reaction " << reaction_ms << " ms");
  BOOST_CHECK(reaction < 100ms);
  // Playback stopped: no frame of the old reply arrives more than 100 ms
  // after speech started (the answer to the new speech starts later).
  const auto old_reply = c->wait_for("audio_started", 0ms);
  BOOST_REQUIRE(old_reply);
  BOOST_CHECK_EQUAL(interrupted->body["turn"], old_reply->body["turn"]);
  const auto next_reply = c->wait_for("audio_started", 10s);
  const auto until = next_reply ? next_reply->at : client::clock::now();
  std::size_t late = 0;
  for (const auto& p : c->audio()) late += p.at > started->at + 100ms && p.at < until ? 1 : 0;
  BOOST_CHECK_EQUAL(late, 0u);
}

BOOST_AUTO_TEST_CASE(two_users_in_one_guild_share_the_session) {
  client::client_pool pool;
  auto a = test::joined(pool, voice_url("g4", "ann"));
  auto b = test::joined(pool, voice_url("g4", "ben"));
  b->send_json({{"type", "text"}, {"text", "repeat after me hello room"}});
  for (auto* c : {a.get(), b.get()}) {
    auto reply = c->wait_for("reply", 10s);
    BOOST_REQUIRE(reply);
    BOOST_CHECK_EQUAL(reply->body["text"], "hello room");
  }
  BOOST_CHECK(test::keep_talking_until(
      *a, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 10s));
}

BOOST_AUTO_TEST_SUITE_END()
