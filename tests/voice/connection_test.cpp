// Connections are actors of the tree: visible at /actors with their guild
// and user, killable; a killed one closes its socket with 1011, and a client
// that reconnects with its resume token gets the rest of what it missed.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

void collect(const json& node, const std::string& kind, std::vector<json>& out) {
  if (node["kind"] == kind) out.push_back(node);
  for (const auto& c : node["children"]) collect(c, kind, out);
}

std::vector<json> actors_of_kind(test::app_fixture& f, const std::string& kind) {
  std::vector<json> out;
  for (const auto& root : json::parse(test::get(f.url("/actors")).body)) collect(root, kind, out);
  return out;
}

// What a client received that counts toward a resume: events other than
// `ready` and `error`, and reply packets.
std::uint64_t received(const client::voice_connection& c) {
  std::uint64_t n = c.audio_count();
  for (const auto& e : c.events()) n += e.type() != "ready" && e.type() != "error" ? 1 : 0;
  return n;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(voice_connections, test::app_fixture)

BOOST_AUTO_TEST_CASE(each_connection_is_an_actor_with_its_guild_and_user) {
  client::client_pool pool;
  auto ann = test::joined(pool, voice_url("conn", "ann"));
  auto bo = test::joined(pool, voice_url("conn", "bo"));
  const auto found = actors_of_kind(*this, "voice_client");
  BOOST_REQUIRE_EQUAL(found.size(), 2u);
  std::set<std::string> users;
  for (const auto& a : found) {
    BOOST_CHECK_EQUAL(a["labels"]["guild"], "conn");
    users.insert(a["labels"]["user"].get<std::string>());
  }
  BOOST_CHECK(users == (std::set<std::string>{"ann", "bo"}));
  // Gone from the tree once its client has left.
  ann->close();
  BOOST_CHECK(app.registry().wait_until(
      [](const std::vector<runtime::actor_info>& all) {
        std::size_t n = 0;
        for (const auto& a : all) n += a.kind == "voice_client" ? 1 : 0;
        return n == 1;
      },
      10s));
}

BOOST_AUTO_TEST_CASE(a_killed_connection_closes_with_1011_and_resumes_where_it_was) {
  client::client_pool pool;
  auto ann = test::joined(pool, voice_url("resume", "ann"));
  auto bo = test::joined(pool, voice_url("resume", "bo"));  // a witness
  std::string token;
  for (const auto& e : ann->events())
    if (e.type() == "ready") token = e.body.value("resume", "");
  BOOST_REQUIRE_EQUAL(token.size(), 32u);
  ann->send_json({{"type", "text"},
                  {"text", "repeat after me one two three four five six seven eight nine ten"}});
  BOOST_REQUIRE(ann->wait_until([](auto&, std::size_t audio) { return audio >= 10; }, 20s));
  std::uint64_t victim = 0;
  for (const auto& a : actors_of_kind(*this, "voice_client"))
    if (a["labels"]["user"] == "ann") victim = a["id"];
  BOOST_REQUIRE_NE(victim, 0u);
  BOOST_REQUIRE_EQUAL(kill(victim).status, 202);
  BOOST_REQUIRE(ann->wait_closed(10s));
  BOOST_CHECK_EQUAL(ann->close_code(), 1011);
  // Bo's connection and the room's reply go on.
  BOOST_CHECK(!bo->closed());
  const auto had = received(*ann);
  const auto frames_before = ann->audio_count();
  auto again = pool.connect(voice_url("resume", "ann"));
  BOOST_REQUIRE(again->wait_open(10s));
  again->send_json({{"type", "hello"},
                    {"codec", "opus"},
                    {"sample_rate", 48000},
                    {"channels", 1},
                    {"frame_ms", 20},
                    {"resume", token},
                    {"received", had}});
  const auto ready = again->wait_for("ready", 10s);
  BOOST_REQUIRE(ready);
  BOOST_CHECK_EQUAL(ready->body.value("resume", ""), token);
  BOOST_REQUIRE(test::keep_talking_until(
      *again, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 30s));
  BOOST_REQUIRE(test::keep_talking_until(
      *bo, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 30s));
  // Ann's two connections together got every packet of the reply, once.
  const auto ended = bo->wait_for("audio_ended", 0ms);
  const auto frames = ended->body.value("frames", 0u);
  BOOST_CHECK_EQUAL(bo->audio_count(), frames);
  BOOST_CHECK_EQUAL(frames_before + again->audio_count(), frames);
  BOOST_CHECK(again->wait_for("audio_ended", 0ms));
}

BOOST_AUTO_TEST_SUITE_END()
