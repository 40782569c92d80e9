// The ops routes over real HTTP against an in-process parleyd.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/app_fixture.hpp"

using namespace parley;
using nlohmann::json;

namespace {
struct no_chaos : test::app_fixture {
  no_chaos() : app_fixture(false) {}
};
}  // namespace

BOOST_FIXTURE_TEST_SUITE(ops_http, test::app_fixture)

BOOST_AUTO_TEST_CASE(liveness_readiness_and_health) {
  BOOST_CHECK_EQUAL(test::get(url("/livez")).status, 200);
  auto ready = test::get(url("/readyz"));
  BOOST_CHECK_EQUAL(ready.status, 200);
  BOOST_CHECK_EQUAL(json::parse(ready.body)["ready"], true);
  auto health = json::parse(test::get(url("/health")).body);
  BOOST_CHECK_EQUAL(health["status"], "ok");
  BOOST_CHECK(health.contains("version"));
  BOOST_CHECK(health["uptime_s"].get<double>() >= 0);
  BOOST_CHECK_EQUAL(health["checks"]["supervision_tree"], "ok");
}

// A health check by HEAD gets GET's status and headers, no body.
BOOST_AUTO_TEST_CASE(head_is_get_without_the_body) {
  for (const char* path : {"/readyz", "/livez", "/ui"}) {
    const auto get = test::get(url(path));
    const auto head = test::http("HEAD", url(path));
    BOOST_CHECK_EQUAL(head.status, get.status);
    BOOST_CHECK_EQUAL(head.content_type, get.content_type);
    BOOST_CHECK(head.body.empty());
  }
  BOOST_CHECK_EQUAL(test::http("HEAD", url("/nowhere")).status, 404);
}

BOOST_AUTO_TEST_CASE(readiness_fails_with_reasons_while_draining) {
  app.ready().start_draining();
  auto r = test::get(url("/readyz"));
  BOOST_CHECK_EQUAL(r.status, 503);
  BOOST_CHECK_EQUAL(json::parse(r.body)["reasons"][0], "draining: shutting down");
  BOOST_CHECK_EQUAL(json::parse(test::get(url("/health")).body)["status"], "draining");
  BOOST_CHECK_EQUAL(test::get(url("/livez")).status, 200);
}

BOOST_AUTO_TEST_CASE(metrics_are_prometheus_text_with_process_metrics) {
  auto m = test::get(url("/metrics"));
  BOOST_CHECK_EQUAL(m.status, 200);
  BOOST_CHECK(m.content_type.find("text/plain") == 0);
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
        "process_start_time_seconds", "parley_actors{kind=\"supervisor\"} 4"})
    BOOST_CHECK_MESSAGE(m.body.find(name) != std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(actors_shows_the_tree) {
  auto tree = json::parse(test::get(url("/actors")).body);
  BOOST_REQUIRE_EQUAL(tree.size(), 1u);
  const auto& root = tree[0];
  BOOST_CHECK_EQUAL(root["labels"]["name"], "root");
  BOOST_CHECK_EQUAL(root["state"], "running");
  std::vector<std::string> names;
  for (const auto& c : root["children"]) {
    names.push_back(c["labels"]["name"]);
    BOOST_CHECK_EQUAL(c["parent"], root["id"]);
    for (const char* key : {"id", "kind", "state", "restarts", "last_exit", "uptime_s"})
      BOOST_CHECK_MESSAGE(c.contains(key), key);
  }
  BOOST_CHECK((names == std::vector<std::string>{"engines", "sessions", "transports"}));
  const auto id = root["children"][0]["id"].get<std::uint64_t>();
  auto one = json::parse(test::get(url("/actors/" + std::to_string(id))).body);
  BOOST_CHECK_EQUAL(one["labels"]["name"], "engines");
}

BOOST_AUTO_TEST_CASE(bad_requests_get_json_errors) {
  auto bad = test::get(url("/actors/abc"));
  BOOST_CHECK_EQUAL(bad.status, 400);
  BOOST_CHECK_EQUAL(json::parse(bad.body)["error"], "bad_request");
  BOOST_CHECK_EQUAL(test::get(url("/actors/999999")).status, 404);
  BOOST_CHECK_EQUAL(test::get(url("/nope")).status, 404);
  auto wrong = test::http("DELETE", url("/livez"));
  BOOST_CHECK_EQUAL(wrong.status, 405);
  BOOST_CHECK_EQUAL(kill(999999).status, 404);
  BOOST_CHECK_EQUAL(
      test::http("POST", url("/actors/abc/kill"), {"Authorization: Bearer " + test::ops_token})
          .status,
      400);
}

BOOST_AUTO_TEST_CASE(version_and_help) {
  auto v = json::parse(test::get(url("/version")).body);
  BOOST_CHECK(v.contains("revision"));
  BOOST_CHECK(v.contains("build_time"));
  auto help = test::get(url("/help")).body;
  for (const char* route :
       {"GET /livez", "GET /readyz", "GET /health", "GET /metrics", "GET /actors/{id}",
        "POST /actors/{id}/kill", "GET /version", "GET /help"})
    BOOST_CHECK_MESSAGE(help.find(route) != std::string::npos, route);
}

BOOST_FIXTURE_TEST_CASE(kill_route_does_not_exist_without_chaos, no_chaos) {
  BOOST_CHECK_EQUAL(kill(1).status, 404);
  BOOST_CHECK(test::get(url("/help")).body.find("kill") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
