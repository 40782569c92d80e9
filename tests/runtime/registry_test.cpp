#include <boost/test/unit_test.hpp>
#include <optional>
#include <thread>

#include "runtime/common/readiness.hpp"
#include "runtime/common/registry.hpp"

using namespace parley::runtime;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(entries_carry_kind_parent_labels_and_lifecycle) {
  actor_registry reg;
  const auto root = reg.add("supervisor", 0, {{"name", "root"}});
  const auto child = reg.add("worker", root, {{"guild", "g1"}});
  BOOST_CHECK_EQUAL(reg.count(), 2u);
  auto info = reg.find(child);
  BOOST_REQUIRE(info);
  BOOST_CHECK_EQUAL(info->parent, root);
  BOOST_CHECK_EQUAL(info->tags.at("guild"), "g1");
  BOOST_CHECK(info->state == actor_state::starting);
  reg.set_state(child, actor_state::running);
  reg.record_exit(child, "kill", true);
  info = reg.find(child);
  BOOST_CHECK(info->state == actor_state::restarting);
  BOOST_CHECK_EQUAL(info->restarts, 1u);
  BOOST_CHECK_EQUAL(info->last_exit, "kill");
  reg.remove(child);
  BOOST_CHECK(!reg.find(child));
  BOOST_CHECK_EQUAL(reg.count(), 1u);
}

BOOST_AUTO_TEST_CASE(kill_calls_the_bound_function_and_reports_unknown_ids) {
  actor_registry reg;
  const auto id = reg.add("worker", 0, {});
  int killed = 0;
  reg.bind(id, [&] { ++killed; });
  BOOST_CHECK(reg.kill(id) == kill_result::killed);
  BOOST_CHECK_EQUAL(killed, 1);
  BOOST_CHECK(reg.kill(id + 100) == kill_result::no_such_actor);
  // Between incarnations nothing runs: a kill is refused, not pretended.
  reg.record_exit(id, "kill", true);
  BOOST_CHECK(reg.kill(id) == kill_result::between_incarnations);
  BOOST_CHECK_EQUAL(killed, 1);
  reg.bind(id, [&] { ++killed; });
  BOOST_CHECK(reg.kill(id) == kill_result::killed);
  BOOST_CHECK_EQUAL(killed, 2);
}

BOOST_AUTO_TEST_CASE(unavailable_since_covers_start_and_restart) {
  actor_registry reg;
  const auto id = reg.add("worker", 0, {});
  BOOST_CHECK(reg.find(id)->unavailable_since.has_value());
  reg.bind(id, [] {});
  reg.set_state(id, actor_state::running);
  BOOST_CHECK(!reg.find(id)->unavailable_since.has_value());
  reg.record_exit(id, "kill", true);
  const auto down = reg.find(id)->unavailable_since;
  BOOST_REQUIRE(down.has_value());
  BOOST_CHECK(*down <= std::chrono::steady_clock::now());
  reg.bind(id, [] {});
  BOOST_CHECK(reg.find(id)->unavailable_since == down);  // starting is not back yet
  reg.set_state(id, actor_state::running);
  BOOST_CHECK(!reg.find(id)->unavailable_since.has_value());
}

// A restarted supervisor adds its children anew: a named child keeps what
// its predecessor took to start, so readiness allows the same reload time.
BOOST_AUTO_TEST_CASE(a_named_child_added_again_keeps_its_startup_time) {
  actor_registry reg;
  const auto first = reg.add("engine_host", 7, {{"name", "stt"}});
  const auto unnamed = reg.add("stt_job", 7, {});
  std::this_thread::sleep_for(5ms);  // a start-up that takes measurable time
  reg.set_state(first, actor_state::running);
  reg.set_state(unnamed, actor_state::running);
  const auto took = reg.find(first)->startup;
  BOOST_CHECK(took >= 5ms);
  reg.remove(first);
  reg.remove(unnamed);
  BOOST_CHECK(reg.find(reg.add("engine_host", 7, {{"name", "stt"}}))->startup == took);
  BOOST_CHECK(reg.find(reg.add("engine_host", 7, {{"name", "tts"}}))->startup.count() == 0);
  BOOST_CHECK(reg.find(reg.add("engine_host", 8, {{"name", "stt"}}))->startup.count() == 0);
  BOOST_CHECK(reg.find(reg.add("stt_job", 7, {}))->startup.count() == 0);
}

BOOST_AUTO_TEST_CASE(wait_until_wakes_on_changes_from_other_threads) {
  actor_registry reg;
  const auto id = reg.add("worker", 0, {});
  std::thread t([&] { reg.set_state(id, actor_state::running); });
  BOOST_CHECK(reg.wait_until(
      [&](const std::vector<actor_info>& all) { return all.at(0).state == actor_state::running; },
      5s));
  t.join();
  BOOST_CHECK(
      !reg.wait_until([](const std::vector<actor_info>& all) { return all.empty(); }, 20ms));
}

BOOST_AUTO_TEST_CASE(readiness_needs_every_check_and_no_drain) {
  readiness r;
  r.require("tree", "starting");
  auto rep = r.evaluate();
  BOOST_CHECK(!rep.ready);
  BOOST_CHECK_EQUAL(rep.reasons.at(0), "tree: starting");
  r.set_ok("tree");
  BOOST_CHECK(r.evaluate().ready);
  r.set_failing("engines", "pocketsphinx not loaded");
  BOOST_CHECK(!r.evaluate().ready);
  r.set_ok("engines");
  r.start_draining();
  rep = r.evaluate();
  BOOST_CHECK(!rep.ready);
  BOOST_CHECK_EQUAL(rep.checks.at("draining"), "draining");
}

BOOST_AUTO_TEST_CASE(readiness_probes_are_asked_at_every_read) {
  readiness r;
  std::optional<std::string> sessions = std::string("unreachable");
  r.add_probe("sessions", [&] { return sessions; });
  auto rep = r.evaluate();
  BOOST_CHECK(!rep.ready);
  BOOST_CHECK_EQUAL(rep.checks.at("sessions"), "unreachable");
  BOOST_CHECK_EQUAL(rep.reasons.at(0), "sessions: unreachable");
  BOOST_CHECK(!r.wait_ready(30ms));
  sessions.reset();
  rep = r.evaluate();
  BOOST_CHECK(rep.ready);
  BOOST_CHECK_EQUAL(rep.checks.at("sessions"), "ok");
  BOOST_CHECK(r.wait_ready(0ms));
}

// A restarted actor's predecessor may report its end after the successor
// reported its start: the older owner's word no longer counts.
BOOST_AUTO_TEST_CASE(a_claimed_check_ignores_its_previous_owner) {
  readiness r;
  const auto first = r.claim("voice_port", "not listening yet");
  r.set_ok("voice_port", first);
  BOOST_CHECK(r.evaluate().ready);
  const auto second = r.claim("voice_port", "not listening yet");
  BOOST_CHECK(!r.evaluate().ready);
  r.set_ok("voice_port", second);
  r.set_failing("voice_port", "the gateway ended", first);  // late, from the predecessor
  BOOST_CHECK(r.evaluate().ready);
  r.set_failing("voice_port", "the gateway ended", second);
  BOOST_CHECK_EQUAL(r.evaluate().checks.at("voice_port"), "the gateway ended");
}

BOOST_AUTO_TEST_SUITE_END()
