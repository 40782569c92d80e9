#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include <caf/all.hpp>
#include <stdexcept>

#include "runtime/log.hpp"
#include "runtime/supervisor.hpp"

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
