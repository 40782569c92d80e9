// The route table without sockets: matching, methods, auth, help.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "ops/router.hpp"
#include "ops/routes.hpp"

using namespace parley::ops;

namespace {
router sample() {
  router r("tok3n-value");
  r.add({"GET", "/things/{id}", "one thing", false, [](const request& q) {
           response resp;
           resp.body = q.params.at("id");
           return resp;
         }});
  r.add({"POST", "/things/{id}/poke", "poke it", true, [](const request&) {
           response resp;
           resp.status = 202;
           return resp;
         }});
  r.add_help("/help");
  return r;
}
request req(std::string method, std::string path, std::string auth = "") {
  request q;
  q.method = std::move(method);
  q.path = std::move(path);
  q.authorization = std::move(auth);
  return q;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(router_table)

BOOST_AUTO_TEST_CASE(patterns_capture_segments) {
  auto r = sample();
  auto resp = r.dispatch(req("GET", "/things/42"));
  BOOST_CHECK_EQUAL(resp.status, 200);
  BOOST_CHECK_EQUAL(resp.body, "42");
  BOOST_CHECK_EQUAL(r.dispatch(req("GET", "/things/42/")).body, "42");
  BOOST_CHECK_EQUAL(r.dispatch(req("GET", "/things")).status, 404);
  BOOST_CHECK_EQUAL(r.dispatch(req("GET", "/things/1/2")).status, 404);
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_allow) {
  auto resp = sample().dispatch(req("DELETE", "/things/1"));
  BOOST_CHECK_EQUAL(resp.status, 405);
  BOOST_REQUIRE_EQUAL(resp.headers.size(), 1u);
  BOOST_CHECK_EQUAL(resp.headers[0].second, "GET");
  BOOST_CHECK_EQUAL(nlohmann::json::parse(resp.body)["error"], "method_not_allowed");
}

BOOST_AUTO_TEST_CASE(mutating_routes_need_the_bearer_token) {
  auto r = sample();
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", "/things/1/poke")).status, 401);
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", "/things/1/poke", "Bearer wrong")).status, 403);
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", "/things/1/poke", "Basic tok3n-value")).status, 403);
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", "/things/1/poke", "Bearer tok3n-value")).status, 202);
}

BOOST_AUTO_TEST_CASE(an_empty_token_refuses_every_mutation) {
  router r("");
  r.add({"POST", "/x", "x", true, [](const request&) { return response{}; }});
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", "/x", "Bearer ")).status, 403);
}

BOOST_AUTO_TEST_CASE(help_is_generated_from_the_table) {
  auto resp = sample().dispatch(req("GET", "/help"));
  BOOST_CHECK_EQUAL(resp.status, 200);
  BOOST_CHECK(resp.body.find("GET /things/{id}") != std::string::npos);
  BOOST_CHECK(resp.body.find("POST /things/{id}/poke") != std::string::npos);
  BOOST_CHECK(resp.body.find("needs bearer token") != std::string::npos);
  BOOST_CHECK(resp.body.find("GET /help") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(constant_time_compare_is_exact) {
  BOOST_CHECK(constant_time_equal("abc", "abc"));
  BOOST_CHECK(!constant_time_equal("abc", "abd"));
  BOOST_CHECK(!constant_time_equal("abc", "abcd"));
}

BOOST_AUTO_TEST_SUITE_END()

// The kill route against a registry, without sockets: a slot waiting to be
// restarted has nothing running, and saying "killed" would be a lie.
BOOST_AUTO_TEST_CASE(kill_is_409_between_incarnations) {
  parley::runtime::actor_registry reg;
  parley::runtime::metrics stats{reg};
  parley::runtime::readiness ready;
  ops_context ctx{reg, ready, stats, true, "tok3n-value"};
  const auto r = make_router(ctx);
  const auto id = reg.add("worker", 0, {});
  int killed = 0;
  reg.bind(id, [&] { ++killed; });
  const auto path = "/actors/" + std::to_string(id) + "/kill";
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", path, "Bearer tok3n-value")).status, 202);
  reg.record_exit(id, "kill", true);
  const auto refused = r.dispatch(req("POST", path, "Bearer tok3n-value"));
  BOOST_CHECK_EQUAL(refused.status, 409);
  BOOST_CHECK_EQUAL(nlohmann::json::parse(refused.body)["error"], "restarting");
  BOOST_CHECK_EQUAL(killed, 1);
  BOOST_CHECK_EQUAL(r.dispatch(req("POST", "/actors/99/kill", "Bearer tok3n-value")).status, 404);
}
