// Chaos through the ops endpoint: kill every actor of the tree over HTTP and
// check that a replacement of the same kind takes its place, and that the
// metrics count it, within a second.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/app_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

double restarts_metric(const std::string& metrics, const std::string& kind) {
  const std::string key = "parley_actor_restarts_total{kind=\"" + kind + "\",reason=\"kill\"} ";
  auto pos = metrics.find(key);
  return pos == std::string::npos ? 0 : std::stod(metrics.substr(pos + key.size()));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(chaos_kill, test::app_fixture)

BOOST_AUTO_TEST_CASE(every_killed_actor_is_replaced_and_counted) {
  // Before anything failed, every series is there at zero: the first
  // restart is an increase, not a new series.
  const auto fresh = test::get(url("/metrics")).body;
  for (const auto* series : {"parley_actor_restarts_total{kind=\"supervisor\",reason=\"kill\"} 0",
                             "parley_actor_restarts_total{kind=\"stt_job\",reason=\"exception\"} 0",
                             "parley_actor_recovery_seconds_count{kind=\"voice_gateway\"} 0",
                             "parley_supervisor_escalations_total{kind=\"guild_session\"} 0",
                             "parley_turn_errors_total{phase=\"stt\"} 0",
                             "parley_watchdog_kills_total{stage=\"tts\"} 0"})
    BOOST_CHECK_MESSAGE(fresh.find(series) != std::string::npos, "missing at start: " << series);
  auto tree = json::parse(test::get(url("/actors")).body);
  std::vector<json> victims(tree[0]["children"].begin(), tree[0]["children"].end());
  BOOST_REQUIRE(!victims.empty());
  double counted = 0;
  for (const auto& v : victims) {
    const auto id = v["id"].get<std::uint64_t>();
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_REQUIRE_EQUAL(kill(id).status, 202);
    // The replacement shows within a second; it is running once it has
    // loaded what it needs (the engines reload their models).
    BOOST_REQUIRE(app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.id == id) return a.restarts == 1;
          return false;
        },
        1s));
    BOOST_CHECK(std::chrono::steady_clock::now() - t0 < 1s);
    BOOST_REQUIRE(app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.id == id) return a.state == runtime::actor_state::running;
          return false;
        },
        15s));
    auto after = json::parse(test::get(url("/actors/" + std::to_string(id))).body);
    BOOST_CHECK_EQUAL(after["kind"], v["kind"]);
    BOOST_CHECK_EQUAL(after["restarts"], 1);
    BOOST_CHECK_EQUAL(after["last_exit"], "kill");
    counted += 1;
    BOOST_CHECK_EQUAL(restarts_metric(test::get(url("/metrics")).body, "supervisor"), counted);
  }
  BOOST_CHECK(test::get(url("/metrics"))
                  .body.find("parley_actor_recovery_seconds_count{kind=\"supervisor\"} " +
                             std::to_string(victims.size())) != std::string::npos);
  BOOST_CHECK_EQUAL(test::get(url("/readyz")).status, 200);
}

BOOST_AUTO_TEST_CASE(kill_needs_the_token) {
  BOOST_CHECK_EQUAL(kill(1, "").status, 401);
  BOOST_CHECK_EQUAL(kill(1, "not-the-token").status, 403);
  BOOST_CHECK_EQUAL(app.registry().find(1)->restarts, 0u);
}

BOOST_AUTO_TEST_CASE(killing_the_root_ends_the_process_with_a_failure_code) {
  BOOST_REQUIRE_EQUAL(kill(1).status, 202);
  BOOST_CHECK_EQUAL(app.wait(), 70);
}

BOOST_AUTO_TEST_SUITE_END()
