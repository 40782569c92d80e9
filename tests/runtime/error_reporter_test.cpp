// Error reports reach a Sentry-compatible receiver as envelopes: this test
// is the receiver (CivetWeb on loopback) and checks what arrives.

#include "runtime/server/error_reporter.hpp"

#include <CivetServer.h>

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "runtime/common/log.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

struct request {
  std::string uri, auth, content_type, body;
};

class receiver : public CivetHandler {
 public:
  bool handlePost(CivetServer*, mg_connection* conn) override {
    request r;
    r.uri = mg_get_request_info(conn)->local_uri;
    const char* auth = mg_get_header(conn, "X-Sentry-Auth");
    const char* type = mg_get_header(conn, "Content-Type");
    r.auth = auth != nullptr ? auth : "";
    r.content_type = type != nullptr ? type : "";
    char buf[4096];
    for (int n; (n = mg_read(conn, buf, sizeof buf)) > 0;) r.body.append(buf, n);
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    {
      std::lock_guard<std::mutex> g(mutex_);
      got_.push_back(std::move(r));
    }
    changed_.notify_all();
    return true;
  }

  std::vector<request> wait_for(std::size_t n) {
    std::unique_lock<std::mutex> l(mutex_);
    changed_.wait_for(l, 10s, [&] { return got_.size() >= n; });
    return got_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<request> got_;
};

struct sentry_fixture {
  receiver handler;
  CivetServer server{std::vector<std::string>{"listening_ports", "127.0.0.1:0"}};
  sentry_fixture() { server.addHandler("/api/", handler); }
  std::string dsn() {
    return "http://public42@127.0.0.1:" + std::to_string(server.getListeningPorts().at(0)) + "/7";
  }
  runtime::sentry_dsn parsed() {
    std::string why;
    return runtime::parse_dsn(dsn(), why).value();
  }
};

std::vector<std::string> lines_of(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(error_reporting)

BOOST_AUTO_TEST_CASE(a_dsn_names_the_envelope_endpoint_and_bad_ones_say_why) {
  std::string why;
  auto d = runtime::parse_dsn("https://abc123@o1.ingest.sentry.io/4505", why);
  BOOST_REQUIRE(d);
  BOOST_CHECK_EQUAL(d->public_key, "abc123");
  BOOST_CHECK_EQUAL(d->envelope_url, "https://o1.ingest.sentry.io/api/4505/envelope/");
  d = runtime::parse_dsn("http://k:legacy-secret@host:9000/sentry/12", why);
  BOOST_REQUIRE(d);
  BOOST_CHECK_EQUAL(d->public_key, "k");
  BOOST_CHECK_EQUAL(d->envelope_url, "http://host:9000/sentry/api/12/envelope/");
  for (const char* bad :
       {"", "ftp://k@h/1", "https://host/1", "https://k@host/", "https://k@host"}) {
    BOOST_CHECK_MESSAGE(!runtime::parse_dsn(bad, why), bad);
    BOOST_CHECK(!why.empty());
  }
}

BOOST_FIXTURE_TEST_CASE(an_error_log_line_arrives_as_an_envelope, sentry_fixture) {
  runtime::error_reporter reporter(parsed(), "parley@9.9.9", "staging");
  BOOST_REQUIRE(reporter.report_log_line(
      R"({"ts":"x","level":"error","component":"stt","msg":"actor failed","turn":"42","what":"boom"})"));
  const auto got = handler.wait_for(1);
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  const auto& r = got[0];
  BOOST_CHECK_EQUAL(r.uri, "/api/7/envelope/");
  BOOST_CHECK_EQUAL(r.content_type, "application/x-sentry-envelope");
  BOOST_CHECK(r.auth.find("sentry_version=7") != std::string::npos);
  BOOST_CHECK(r.auth.find("sentry_key=public42") != std::string::npos);
  const auto lines = lines_of(r.body);
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  const auto header = nlohmann::json::parse(lines[0]);
  const auto item = nlohmann::json::parse(lines[1]);
  const auto event = nlohmann::json::parse(lines[2]);
  BOOST_CHECK_EQUAL(header["dsn"], dsn());
  BOOST_CHECK_EQUAL(header["event_id"].get<std::string>().size(), 32u);
  BOOST_CHECK_EQUAL(event["event_id"], header["event_id"]);
  BOOST_CHECK_EQUAL(item["type"], "event");
  BOOST_CHECK_EQUAL(item["length"].get<std::size_t>(), lines[2].size());
  BOOST_CHECK_EQUAL(event["level"], "error");
  BOOST_CHECK_EQUAL(event["logger"], "parley.stt");
  BOOST_CHECK_EQUAL(event["message"]["formatted"], "actor failed");
  BOOST_CHECK_EQUAL(event["tags"]["turn"], "42");
  BOOST_CHECK_EQUAL(event["tags"]["what"], "boom");
  BOOST_CHECK_EQUAL(event["release"], "parley@9.9.9");
  BOOST_CHECK_EQUAL(event["environment"], "staging");
  BOOST_CHECK(event["timestamp"].is_number());
}

BOOST_FIXTURE_TEST_CASE(a_storm_of_errors_is_rate_limited, sentry_fixture) {
  runtime::error_reporter reporter(parsed(), "parley@1", "prod");
  int accepted = 0;
  for (int i = 0; i < 30; ++i) accepted += reporter.report({"error", "x", "storm", {}}) ? 1 : 0;
  BOOST_CHECK_EQUAL(accepted, 10);  // the burst; the next is 6 s away
  BOOST_CHECK_EQUAL(reporter.dropped(), 20u);
  BOOST_CHECK_EQUAL(handler.wait_for(10).size(), 10u);
}

BOOST_FIXTURE_TEST_CASE(the_log_hook_reports_errors_redacted_and_nothing_else, sentry_fixture) {
  runtime::error_reporter reporter(parsed(), "parley@1", "dev");
  log::add_secret("sk-live-very-secret");
  log::set_error_hook([&](const std::string& line) { reporter.report_log_line(line); });
  log::warn("agent", "slow answer");  // not an error: not reported
  log::error("agent", "key sk-live-very-secret refused", {{"turn", "3"}});
  log::set_error_hook(nullptr);
  const auto got = handler.wait_for(1);
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_CHECK(got[0].body.find("sk-live-very-secret") == std::string::npos);
  BOOST_CHECK(got[0].body.find("[redacted]") != std::string::npos);
  BOOST_CHECK(got[0].body.find("slow answer") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
