#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include <caf/all.hpp>
#include <stdexcept>

#include "runtime/common/log.hpp"
#include "runtime/common/supervisor.hpp"

using namespace parley;

namespace {
// Captures log lines in a temporary file for the duration of a test.
struct capture {
  std::FILE* f = std::tmpfile();
  capture() { log::set_output(f); }
  ~capture() {
    log::set_output(stdout);
    std::fclose(f);
  }
  std::vector<nlohmann::json> lines() {
    std::fflush(f);
    std::rewind(f);
    std::vector<nlohmann::json> out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, f)) out.push_back(nlohmann::json::parse(buf));
    return out;
  }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(logging)

BOOST_AUTO_TEST_CASE(lines_are_json_with_the_standard_fields) {
  capture c;
  log::set_level(runtime::log_level::info);
  log::info("session", "joined", {{"guild", "g1"}, {"user", "u1"}});
  log::debug("session", "not shown at info");
  auto lines = c.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_CHECK_EQUAL(lines[0]["level"], "info");
  BOOST_CHECK_EQUAL(lines[0]["component"], "session");
  BOOST_CHECK_EQUAL(lines[0]["msg"], "joined");
  BOOST_CHECK_EQUAL(lines[0]["guild"], "g1");
  BOOST_CHECK(lines[0]["ts"].get<std::string>().find('T') != std::string::npos);
}

BOOST_AUTO_TEST_CASE(secrets_never_reach_the_log) {
  capture c;
  log::set_level(runtime::log_level::debug);
  log::add_secret("s3cr3t-token-value");
  log::warn("ops", "bad header Bearer s3cr3t-token-value", {{"auth", "x s3cr3t-token-value y"}});
  auto lines = c.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  const auto text = lines[0].dump();
  BOOST_CHECK(text.find("s3cr3t") == std::string::npos);
  BOOST_CHECK(text.find("[redacted]") != std::string::npos);
}

// A storm of one warning is cut to 20 lines a second; the first line of the
// next second says how many were dropped. Errors are never dropped.
BOOST_AUTO_TEST_CASE(a_storm_of_one_line_is_rate_limited_and_counted) {
  capture c;
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  log::set_rate_limit(20, [&] { return now; });
  for (int i = 0; i < 100; ++i)
    log::warn("supervisor", "restarting child", {{"i", std::to_string(i)}});
  for (int i = 0; i < 30; ++i) log::error("supervisor", "gave up");
  log::warn("transport", "another message");  // its own budget
  now += std::chrono::milliseconds(1500);
  log::warn("supervisor", "restarting child");
  log::set_rate_limit(20, [] { return std::chrono::steady_clock::now(); });
  std::size_t storm = 0, errors = 0, other = 0;
  std::string suppressed;
  for (const auto& line : c.lines()) {
    const auto msg = line.value("msg", "");
    storm += msg == "restarting child" ? 1 : 0;
    errors += msg == "gave up" ? 1 : 0;
    other += msg == "another message" ? 1 : 0;
    if (line.contains("suppressed")) suppressed = line["suppressed"];
  }
  BOOST_CHECK_EQUAL(storm, 21u);  // 20, then the one a second later
  BOOST_CHECK_EQUAL(suppressed, "80");
  BOOST_CHECK_EQUAL(errors, 30u);
  BOOST_CHECK_EQUAL(other, 1u);
}

// A job that throws says which turn it was working on, in JSON, before it
// ends the way its supervisor expects (unhandled_exception).
BOOST_AUTO_TEST_CASE(a_failing_actor_logs_its_turn_and_the_exception) {
  capture c;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto job = sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
    runtime::log_failures(self, "stt", {{"turn", "42"}});
    return {[](int) { throw std::runtime_error("decoder on fire"); }};
  });
  caf::scoped_actor watcher{sys};
  watcher->monitor(job);
  watcher->send(job, 1);
  caf::error reason;
  watcher->receive([&](caf::down_msg& dm) { reason = dm.reason; });
  BOOST_CHECK(reason == caf::exit_reason::unhandled_exception);
  bool found = false;
  for (const auto& line : c.lines()) {
    if (line.value("msg", "") != "actor failed") continue;
    found = true;
    BOOST_CHECK_EQUAL(line["level"], "error");
    BOOST_CHECK_EQUAL(line["component"], "stt");
    BOOST_CHECK_EQUAL(line["turn"], "42");
    BOOST_CHECK_EQUAL(line["what"], "decoder on fire");
  }
  BOOST_CHECK_MESSAGE(found, "no 'actor failed' line");
}

BOOST_AUTO_TEST_SUITE_END()
