// Hostile input on both ports. Each misbehaviour gets a clear error or a
// close that touches only its own connection, and afterwards a normal voice
// turn on the same server is still answered.

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/hostile/raw_socket.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

runtime::config limits() {
  auto c = test::test_config(true);
  c.max_per_address = 6;
  c.max_message_bytes = 16 * 1024;
  return c;
}

struct server : test::app_fixture {
  explicit server(runtime::config c = limits()) : app_fixture(std::move(c)) {}

  // Someone who did nothing wrong speaks and is answered.
  void answers_a_normal_turn(const std::string& who = "bystander") {
    client::client_pool pool;
    auto c = test::joined(pool, voice_url("calm-" + who, who));
    client::stream_paced(*c, test::goforward_packets(), client::clock::now());
    std::string heard;
    BOOST_REQUIRE_MESSAGE(c->wait_until(
                              [&](const std::vector<client::event>& evs, std::size_t) {
                                for (const auto& e : evs)
                                  if (e.type() == "transcript" && e.body.value("final", false))
                                    heard = e.body.value("text", "");
                                return !heard.empty();
                              },
                              20s),
                          "no final transcript for a normal turn");
    BOOST_CHECK_EQUAL(heard, "go forward ten meters");
    BOOST_CHECK_MESSAGE(c->wait_for("audio_ended", 20s), "a normal turn was not answered");
  }
};

// Behind a reverse proxy on 127.0.0.1: the limit counts the addresses the
// proxy names, not the proxy.
struct proxied_server : server {
  static runtime::config cfg() {
    auto c = limits();
    c.max_per_address = 2;
    c.trusted_proxies = {"127.0.0.1"};
    return c;
  }
  proxied_server() : server(cfg()) {}

  // A WebSocket handshake as a proxy forwards it; the status line.
  std::string upgrade_for(test::raw_socket& s, const std::string& user,
                          const std::string& forwarded_for) {
    s.send("GET /v1/voice?guild=proxied&user=" + user +
           " HTTP/1.1\r\nHost: parley\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "X-Forwarded-For: " +
           forwarded_for + "\r\n\r\n");
    const auto head = s.read_head(5s);
    return head.substr(0, head.find("\r\n"));
  }
};

struct busy_server : server {
  static runtime::config cfg() {
    auto c = limits();
    c.max_sessions = 3;
    return c;
  }
  busy_server() : server(cfg()) {}
};

struct heartbeat_server : server {
  static runtime::config cfg() {
    auto c = limits();
    c.hello_timeout = 1s;
    c.ping_interval = 500ms;  // idle past 1.5 s closes
    return c;
  }
  heartbeat_server() : server(cfg()) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(hostile_input, server)

BOOST_AUTO_TEST_CASE(an_oversized_message_closes_only_its_connection_with_1009) {
  client::client_pool pool;
  auto other = test::joined(pool, voice_url("big", "other"));
  auto c = test::joined(pool, voice_url("big", "sender"));
  c->send_opus(client::bytes(app.settings().max_message_bytes + 1, 0x42));
  BOOST_REQUIRE(c->wait_closed(5s));
  BOOST_CHECK_EQUAL(c->close_code(), 1009);
  BOOST_CHECK(other->open());
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_CASE(a_message_flood_is_rate_limited_and_closed) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("flood", "flooder"));
  for (int i = 0; i < 1000; ++i) c->send_opus(client::silence_packet());
  const auto e = c->wait_for("error", 5s);
  BOOST_REQUIRE(e);
  BOOST_CHECK_EQUAL(e->body["code"], "rate_limited");
  BOOST_REQUIRE(c->wait_closed(5s));
  BOOST_CHECK_EQUAL(c->close_code(), 1008);
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_CASE(too_many_connections_from_one_address_get_429) {
  client::client_pool pool;
  std::vector<std::unique_ptr<client::voice_connection>> held;
  for (std::size_t i = 0; i < app.settings().max_per_address; ++i) {
    held.push_back(pool.connect(voice_url("crowd", "u" + std::to_string(i))));
    BOOST_REQUIRE(held.back()->wait_open(5s));
  }
  auto extra = pool.connect(voice_url("crowd", "extra"));
  BOOST_CHECK(!extra->wait_open(5s));
  BOOST_CHECK_EQUAL(extra->http_status(), 429);
  BOOST_CHECK_EQUAL(json::parse(extra->refusal())["error"], "too_many_connections");
  for (auto& h : held) BOOST_CHECK(h->open());
  held.clear();  // they leave; their slots come back once the server has seen them go
  BOOST_REQUIRE(app.registry().wait_until(
      [](const std::vector<runtime::actor_info>& actors) {
        return std::none_of(actors.begin(), actors.end(), [](const runtime::actor_info& a) {
          return a.kind == "voice_client" && a.tags.count("guild") && a.tags.at("guild") == "crowd";
        });
      },
      10s));
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_CASE(slowloris_on_the_voice_port_is_cut_off_and_others_connect) {
  std::vector<std::unique_ptr<test::raw_socket>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<test::raw_socket>("127.0.0.1", app.voice_port()));
    slow.back()->send("GET /v1/voice?guild=slow&user=s" + std::to_string(i) +
                      " HTTP/1.1\r\nHost: x");
  }
  answers_a_normal_turn();  // while they hang
  for (auto& s : slow)
    BOOST_CHECK_MESSAGE(s->wait_closed_by_peer(10s), "a half-sent handshake was kept open");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_http_get_a_400_on_the_voice_port) {
  test::raw_socket s("127.0.0.1", app.voice_port());
  s.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n");
  std::string got;
  BOOST_CHECK(s.wait_closed_by_peer(10s, &got));
  BOOST_CHECK(got.empty() || got.rfind("HTTP/1.1 400", 0) == 0);
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_CASE(slowloris_on_the_ops_port_does_not_starve_probes) {
  std::vector<std::unique_ptr<test::raw_socket>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<test::raw_socket>("127.0.0.1", app.ops_port()));
    slow.back()->send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_CHECK_EQUAL(test::get(url("/livez")).status, 200);
  BOOST_CHECK_EQUAL(test::get(url("/readyz")).status, 200);
  BOOST_CHECK_MESSAGE(std::chrono::steady_clock::now() - t0 < 2s, "probes waited on slow clients");
  for (auto& s : slow)
    BOOST_CHECK_MESSAGE(s->wait_closed_by_peer(15s), "a half-sent request was kept open");
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_CASE(unauthenticated_and_malformed_ops_calls_are_refused) {
  const auto victim = app.registry().snapshot().back().id;
  BOOST_CHECK_EQUAL(kill(victim, "").status, 401);
  BOOST_CHECK_EQUAL(kill(victim, "wrong-token").status, 403);
  const std::vector<std::string> bearer = {"Authorization: Bearer " + test::ops_token};
  BOOST_CHECK_EQUAL(test::http("POST", url("/actors/not-a-number/kill"), bearer).status, 400);
  BOOST_CHECK_EQUAL(test::http("POST", url("/actors/999999/kill"), bearer).status, 404);
  BOOST_CHECK_EQUAL(test::http("POST", url("/faults/stt/melt/1"), bearer).status, 400);
  BOOST_CHECK_EQUAL(test::http("DELETE", url("/livez")).status, 405);
  BOOST_CHECK_EQUAL(test::get(url("/nothing/here")).status, 404);
  BOOST_CHECK_EQUAL(test::get(url("/actors/" + std::string(5000, '9'))).status / 100, 4);
  for (const auto& a : app.registry().snapshot()) BOOST_CHECK_EQUAL(a.restarts, 0u);
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_CASE(a_bad_hello_and_garbage_text_only_hurt_their_sender) {
  client::client_pool pool;
  auto other = test::joined(pool, voice_url("mixed", "other"));
  auto c = pool.connect(voice_url("mixed", "bad"));
  BOOST_REQUIRE(c->wait_open(5s));
  c->send_text(R"({"type":"hello","codec":"opus","sample_rate":"48000","channels":1})");
  const auto e = c->wait_for("error", 5s);
  BOOST_REQUIRE(e);
  BOOST_CHECK_EQUAL(e->body["code"], "unsupported_format");
  BOOST_REQUIRE(c->wait_closed(5s));
  BOOST_CHECK_EQUAL(c->close_code(), 1003);
  other->send_text(R"({"type":"text","text":)");
  BOOST_CHECK(other->wait_for("error", 5s));
  BOOST_CHECK(other->open());
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(hostile_proxied, proxied_server)

BOOST_AUTO_TEST_CASE(behind_a_trusted_proxy_the_limit_counts_each_forwarded_client) {
  std::vector<std::unique_ptr<test::raw_socket>> held;
  auto connect = [&](const std::string& user, const std::string& xff) {
    held.push_back(std::make_unique<test::raw_socket>("127.0.0.1", app.voice_port()));
    return upgrade_for(*held.back(), user, xff);
  };
  BOOST_CHECK_EQUAL(connect("a1", "203.0.113.7"), "HTTP/1.1 101 Switching Protocols");
  BOOST_CHECK_EQUAL(connect("a2", "203.0.113.7"), "HTTP/1.1 101 Switching Protocols");
  BOOST_CHECK_EQUAL(connect("a3", "203.0.113.7").substr(0, 12), "HTTP/1.1 429");
  // Another client behind the same proxy has its own allowance; a hop the
  // client wrote itself before the proxy's does not change who it is.
  BOOST_CHECK_EQUAL(connect("b1", "198.51.100.9"), "HTTP/1.1 101 Switching Protocols");
  BOOST_CHECK_EQUAL(connect("b2", "10.0.0.1, 198.51.100.9"), "HTTP/1.1 101 Switching Protocols");
  BOOST_CHECK_EQUAL(connect("b3", "10.0.0.2, 198.51.100.9").substr(0, 12), "HTTP/1.1 429");
  held.clear();
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(hostile_idle, heartbeat_server)

BOOST_AUTO_TEST_CASE(no_hello_in_time_closes_but_a_muted_member_stays) {
  client::client_pool pool;
  auto muted = test::joined(pool, voice_url("quiet", "muted"));
  auto mute = pool.connect(voice_url("quiet", "nobody"));
  BOOST_REQUIRE(mute->wait_open(20s));
  BOOST_REQUIRE_MESSAGE(mute->wait_closed(10s), "a connection without hello stayed open");
  BOOST_CHECK_EQUAL(mute->close_code(), 1008);
  const auto e = mute->wait_for("error", 1s);
  BOOST_REQUIRE(e);
  BOOST_CHECK_EQUAL(e->body["code"], "protocol");
  // Eight pings span four idle timeouts' worth of a member saying nothing.
  BOOST_CHECK_MESSAGE(
      muted->wait_pings(8, 20s),
      "a muted member was closed: " << muted->close_code() << " " << muted->close_reason());
  BOOST_CHECK(muted->open());
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(hostile_load, busy_server)

BOOST_AUTO_TEST_CASE(past_the_global_limit_connections_get_a_clear_busy) {
  client::client_pool pool;
  std::vector<std::unique_ptr<client::voice_connection>> held;
  for (std::size_t i = 0; i < app.settings().max_sessions; ++i)
    held.push_back(test::joined(pool, voice_url("full", "u" + std::to_string(i))));
  auto extra = pool.connect(voice_url("full", "extra"));
  BOOST_CHECK(!extra->wait_open(5s));
  BOOST_CHECK_EQUAL(extra->http_status(), 503);
  BOOST_CHECK_EQUAL(json::parse(extra->refusal())["error"], "busy");
  // Those inside carry on: one of them is answered while the server is full.
  client::stream_paced(*held[0], test::goforward_packets(), client::clock::now());
  BOOST_CHECK(held[0]->wait_for("audio_ended", 20s));
  held.clear();
  answers_a_normal_turn();
}

BOOST_AUTO_TEST_SUITE_END()
