// Every actor of the tree but the root, killed once each in turn while a
// person is in a room: the next turn gets its real answer, and /readyz
// says 200 only when a turn can be served. And the other way round: while
// a part every turn needs is out for longer than a restart, /readyz is 503
// and says which part.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

runtime::config many_restarts() {
  auto c = test::test_config(true);
  c.restart_max = 1000;  // these tests restart parts of the tree far more than production does
  return c;
}

struct tree_fixture : test::app_fixture {
  tree_fixture() : app_fixture(many_restarts()) {}

  std::optional<runtime::actor_info> find(
      const std::function<bool(const runtime::actor_info&)>& p) {
    for (const auto& a : app.registry().snapshot())
      if (p(a)) return a;
    return std::nullopt;
  }

  // Until the slot runs an incarnation restarted at least `restarts` times.
  bool running_again(runtime::actor_id id, std::uint32_t restarts,
                     std::chrono::milliseconds limit = 20s) {
    return app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.id == id)
              return a.restarts >= restarts && a.state == runtime::actor_state::running;
          return false;
        },
        limit);
  }

  // Every fixed part of the tree (supervisors, engine hosts, the gateway)
  // runs again. A killed supervisor's children end after the supervisor
  // itself, and a new child starts only once its predecessor has ended, so
  // this is also the moment every dying part has let go of its readiness.
  bool whole_again(const std::vector<runtime::actor_info>& fixed) {
    return app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& f : fixed) {
            bool running = false;
            for (const auto& a : all)
              running |=
                  a.kind == f.kind && a.tags == f.tags && a.state == runtime::actor_state::running;
            if (!running) return false;
          }
          return true;
        },
        30s);
  }

  // The supervisor has taken the death: the slot counts the restart.
  bool noticed(runtime::actor_id id, std::uint32_t restarts) {
    return app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.id == id) return a.restarts >= restarts;
          return false;
        },
        10s);
  }
};

// Says goforward.raw and waits for the reply to play out: true when it was
// a real answer (the transcript, a reply, its audio, and no error).
bool real_answer(client::voice_connection& c, std::chrono::milliseconds limit = 30s) {
  const auto from = c.events().size();
  client::stream_paced(c, test::goforward_packets(), client::clock::now());
  std::int64_t turn = -1;
  const bool played = test::keep_talking_until(
      c,
      [&](const std::vector<client::event>& evs, std::size_t) {
        for (auto i = from; i < evs.size(); ++i) {
          if (evs[i].type() == "speech_started") turn = evs[i].body.value("turn", std::int64_t{-1});
          if (evs[i].type() == "audio_ended" && evs[i].body.value("turn", std::int64_t{-2}) == turn)
            return true;
        }
        return false;
      },
      limit);
  if (!played || c.closed()) return false;
  bool transcribed = false, replied = false;
  const auto evs = c.events();
  for (auto i = from; i < evs.size(); ++i) {
    const auto& e = evs[i];
    if (e.body.value("turn", std::int64_t{-1}) != turn) continue;
    if (e.type() == "error") return false;
    transcribed |= e.type() == "transcript" && e.body.value("final", false) &&
                   e.body.value("text", "") == "go forward ten meters";
    replied |= e.type() == "reply" && !e.body.value("text", "").empty();
  }
  return transcribed && replied;
}

std::string describe(const runtime::actor_info& a) {
  std::string s = a.kind + " " + std::to_string(a.id);
  for (const auto& [k, v] : a.tags) s += " " + k + "=" + v;
  return s;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(chaos_kill_each, tree_fixture)

BOOST_AUTO_TEST_CASE(killing_any_one_actor_leaves_the_next_turn_answered) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("room", "ann"));
  BOOST_REQUIRE(real_answer(*c));
  // Everything alive now: the fixed tree, the room's session and Ann's
  // stream. A killed supervisor's children come back as new slots (new
  // ids), so each victim is found again by its kind and labels.
  std::vector<runtime::actor_info> victims;
  for (const auto& a : app.registry().snapshot())
    if (a.parent != 0) victims.push_back(a);
  std::set<std::string> kinds;
  std::vector<runtime::actor_info> fixed;
  for (const auto& a : victims) {
    kinds.insert(a.kind);
    if (a.kind != "guild_session" && a.kind != "audio_stream" && a.kind != "voice_client")
      fixed.push_back(a);
  }
  // supervisor engine_host voice_gateway voice_client guild_session audio_stream
  BOOST_REQUIRE_EQUAL(kinds.size(), 6u);
  for (const auto& v : victims) {
    BOOST_TEST_CONTEXT("killed " << describe(v)) {
      const auto before = find([&](const runtime::actor_info& a) {
        return a.kind == v.kind && a.tags == v.tags && a.state == runtime::actor_state::running;
      });
      BOOST_REQUIRE(before);
      BOOST_REQUIRE_EQUAL(kill(before->id).status, 202);
      if (v.kind == "voice_client") {  // not restarted: its socket closes, the client comes back
        BOOST_REQUIRE(c->wait_closed(10s));
        BOOST_CHECK_EQUAL(c->close_code(), 1011);
      } else {
        BOOST_REQUIRE(noticed(before->id, before->restarts + 1));
      }
      BOOST_REQUIRE(whole_again(fixed));
      // From here on, a 200 promises that a turn can be served now.
      BOOST_REQUIRE(app.ready().wait_ready(30s));
      const auto ready = test::get(url("/readyz"));
      BOOST_REQUIRE_EQUAL(ready.status, 200);
      if (c->closed()) {  // the gateway (or its supervisor) closed every connection
        c = pool.connect(voice_url("room", "ann"));
        BOOST_REQUIRE_MESSAGE(c->wait_open(5s), "refused after /readyz said 200: "
                                                    << c->http_status() << " " << c->refusal());
        c->send_hello();
        BOOST_REQUIRE(c->wait_for("ready", 10s));
      }
      BOOST_CHECK(real_answer(*c));
      if (v.kind != "voice_client") BOOST_CHECK(running_again(before->id, before->restarts + 1));
    }
  }
  BOOST_CHECK_EQUAL(test::get(url("/readyz")).status, 200);
}

// Killed again and again right after each start, a part waits out a growing
// backoff: while it is out for longer than a restart takes, /readyz is 503
// and names it; once it is back, turns are answered again.
BOOST_AUTO_TEST_CASE(readiness_is_503_while_a_part_every_turn_needs_is_out) {
  const struct {
    std::function<bool(const runtime::actor_info&)> is;
    std::string reason;
  } parts[] = {
      {[](const runtime::actor_info& a) {
         return a.kind == "supervisor" && a.tags.at("name") == "sessions";
       },
       "sessions: the sessions supervisor cannot be reached"},
      {[](const runtime::actor_info& a) {
         return a.kind == "engine_host" && a.tags.at("engine") == "tts";
       },
       "actors: engine_host flite"},
  };
  for (const auto& part : parts) {
    BOOST_TEST_CONTEXT(part.reason) {
      const auto target = find(part.is);
      BOOST_REQUIRE(target);
      bool refused = false;
      std::string seen;
      for (int i = 0; i < 20 && !refused; ++i) {
        const auto now = app.registry().find(target->id);
        BOOST_REQUIRE(running_again(target->id, now->restarts));
        BOOST_REQUIRE_EQUAL(kill(target->id).status, 202);  // within its backoff's reset window
        BOOST_REQUIRE(noticed(target->id, now->restarts + 1));
        // Sampled as a prober would, until the part is back.
        while (!refused &&
               app.registry().find(target->id)->state != runtime::actor_state::running) {
          const auto ready = test::get(url("/readyz"));
          seen = ready.body;
          refused = ready.status == 503 && ready.body.find(part.reason) != std::string::npos;
          std::this_thread::sleep_for(50ms);
        }
      }
      BOOST_CHECK_MESSAGE(refused, "/readyz never said why: " << seen);
      BOOST_REQUIRE(app.ready().wait_ready(30s));
    }
  }
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("after", "bea"));
  BOOST_CHECK(real_answer(*c));
}

BOOST_AUTO_TEST_SUITE_END()
