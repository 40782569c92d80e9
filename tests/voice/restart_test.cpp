// A guild_session killed in the middle of a turn: its replacement picks the
// turn up where it was, and the people in the room miss nothing of it.

#include <boost/test/unit_test.hpp>

#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

struct restart_fixture : test::app_fixture {
  // The running session of `guild` (its slot id and restart count).
  runtime::actor_info session_of(const std::string& guild) {
    runtime::actor_info found;
    BOOST_REQUIRE(app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.kind == "guild_session" && a.tags.count("guild") && a.tags.at("guild") == guild &&
                a.state == runtime::actor_state::running) {
              found = a;
              return true;
            }
          return false;
        },
        5s));
    return found;
  }

  void kill_session(const std::string& guild) {
    const auto victim = session_of(guild);
    BOOST_REQUIRE_EQUAL(kill(victim.id).status, 202);
    BOOST_REQUIRE(app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.id == victim.id) return a.restarts > victim.restarts;
          return false;
        },
        5s));
  }
};

std::int64_t turn_of(const client::event& e) {
  return e.body.value("turn", std::int64_t{-1});
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(voice_restart, restart_fixture)

BOOST_AUTO_TEST_CASE(a_session_killed_while_replying_finishes_the_reply_to_the_room) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("r1", "alice"));
  c->send_json({{"type", "text"}, {"text", "help"}});
  const auto started = c->wait_for("audio_started", 10s);
  BOOST_REQUIRE(started);
  kill_session("r1");
  // The client rejoins by itself; the rest of the reply and its end reach it.
  const auto ended = c->wait_for("audio_ended", 20s);
  BOOST_REQUIRE(ended);
  BOOST_CHECK_EQUAL(turn_of(*ended), turn_of(*started));
  // Every frame the session counts as sent reached the client: none went
  // out to nobody while the session was down.
  BOOST_CHECK_EQUAL(ended->body.value("frames", 0), static_cast<int>(c->audio().size()));
  BOOST_CHECK(!c->wait_for("error", 0ms));
}

BOOST_AUTO_TEST_CASE(a_session_killed_after_the_utterance_still_hears_it_right) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("r2", "bob"));
  client::stream_paced(*c, test::goforward_packets(), client::clock::now());
  std::optional<client::event> spoken;
  BOOST_REQUIRE(test::keep_talking_until(
      *c,
      [&](auto& evs, std::size_t) {
        for (const auto& e : evs)
          if (e.type() == "speech_ended") spoken = e;
        return spoken.has_value();
      },
      15s));
  kill_session("r2");
  // The recognition the killed session's stt_job began goes on in the new one.
  BOOST_REQUIRE(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 20s));
  std::optional<client::event> final;
  while (auto t = c->wait_for("transcript", 0ms))
    if (t->body["final"]) final = t;
  BOOST_REQUIRE(final);
  BOOST_CHECK_EQUAL(turn_of(*final), turn_of(*spoken));
  BOOST_CHECK_EQUAL(final->body["text"], "go forward ten meters");
}

BOOST_AUTO_TEST_CASE(a_member_who_leaves_while_the_session_is_down_does_not_hold_up_the_room) {
  client::client_pool pool;
  auto stays = test::joined(pool, voice_url("r3", "carol"));
  auto goes = test::joined(pool, voice_url("r3", "dave"));
  stays->send_json({{"type", "text"}, {"text", "help"}});
  BOOST_REQUIRE(stays->wait_for("audio_started", 10s));
  kill_session("r3");
  goes->close();  // before or after dave's connection rejoined: either way he is gone
  BOOST_REQUIRE(stays->wait_for("audio_ended", 20s));
}

BOOST_AUTO_TEST_SUITE_END()
