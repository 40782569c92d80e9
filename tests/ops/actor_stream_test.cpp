// The ops console's feed: GET /actors/stream as server-sent events, and the
// console's page on /ui.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ops/actor_stream.hpp"
#include "tests/support/app_fixture.hpp"

using namespace parley;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

// The data of one server-sent event of `name` in `chunk`, or null.
json data_of(const std::string& chunk, const std::string& name) {
  const auto head = "event: " + name + "\ndata: ";
  if (chunk.rfind(head, 0) != 0) return nullptr;
  return json::parse(chunk.substr(head.size()));
}

// A stream driven by the test: the route's body runs on a thread of its own
// and every chunk it writes is queued here.
class stream_reader {
 public:
  explicit stream_reader(ops::response r) : resp_(std::move(r)) {
    ops::stream_sink sink{[this](const std::string& c) { return push(c); },
                          [this] { return stop_.load(); }};
    runner_ = std::thread([this, sink] {
      resp_.stream(sink);
      std::lock_guard<std::mutex> lock(mutex_);
      returned_ = true;
      cv_.notify_all();
    });
  }
  ~stream_reader() {
    stop_ = true;
    runner_.join();
  }
  stream_reader(const stream_reader&) = delete;
  stream_reader& operator=(const stream_reader&) = delete;

  // The next chunk, or "" when none comes within the timeout.
  std::string next(milliseconds timeout = milliseconds(5000)) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return !chunks_.empty(); })) return {};
    auto c = chunks_.front();
    chunks_.pop_front();
    return c;
  }
  void hang_up() { gone_ = true; }
  // Whether the stream's body returned by itself within the timeout.
  bool returned(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return returned_; });
  }

 private:
  bool push(const std::string& c) {
    if (gone_) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    chunks_.push_back(c);
    cv_.notify_all();
    return true;
  }

  ops::response resp_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> gone_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  bool returned_ = false;
  std::thread runner_;
};

ops::stream_limits quick() {
  ops::stream_limits l;
  l.min_gap = milliseconds(20);
  l.keepalive = milliseconds(200);
  l.stop_check = milliseconds(20);
  return l;
}

// Reads a real HTTP response until `want` appears in it (or the timeout).
std::string read_until(std::uint16_t port, const std::string& path, const std::string& want,
                       milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{0, 200000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const auto req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    (void)::send(fd, req.data(), req.size(), 0);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return got;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(actor_stream)

BOOST_AUTO_TEST_CASE(a_snapshot_then_only_what_changed) {
  runtime::actor_registry reg;
  const auto root = reg.add("supervisor", 0, {{"name", "root"}});
  const auto job = reg.add("stt_job", root, {{"utterance", "1"}});
  reg.bind(root, [] {});
  reg.set_state(root, runtime::actor_state::running);
  auto route = ops::actor_stream_route(reg, true, quick());
  BOOST_CHECK_EQUAL(route.pattern, "/actors/stream");
  auto resp = route.handler({});
  BOOST_CHECK_EQUAL(resp.content_type, "text/event-stream");
  BOOST_CHECK_EQUAL(resp.body, "retry: 1000\n\n");
  stream_reader s(std::move(resp));

  auto snap = data_of(s.next(), "snapshot");
  BOOST_REQUIRE(snap.is_object());
  BOOST_CHECK_EQUAL(snap["chaos"], true);
  BOOST_REQUIRE_EQUAL(snap["actors"].size(), 2u);
  BOOST_CHECK_EQUAL(snap["actors"][0]["labels"]["name"], "root");
  BOOST_CHECK_EQUAL(snap["actors"][0]["state"], "running");
  BOOST_CHECK_EQUAL(snap["actors"][1]["parent"], root);

  reg.record_exit(job, "kill", true);
  auto change = data_of(s.next(), "change");
  BOOST_REQUIRE(change.is_object());
  BOOST_REQUIRE_EQUAL(change["upsert"].size(), 1u);  // the root did not change
  BOOST_CHECK_EQUAL(change["upsert"][0]["id"], job);
  BOOST_CHECK_EQUAL(change["upsert"][0]["restarts"], 1);
  BOOST_CHECK_EQUAL(change["upsert"][0]["last_exit"], "kill");
  BOOST_CHECK_EQUAL(change["upsert"][0]["state"], "restarting");
  BOOST_CHECK(change["remove"].empty());

  reg.remove(job);
  change = data_of(s.next(), "change");
  BOOST_REQUIRE(change.is_object());
  BOOST_CHECK(change["upsert"].empty());
  BOOST_CHECK_EQUAL(change["remove"], json::array({job}));
}

BOOST_AUTO_TEST_CASE(a_burst_of_changes_is_one_event_and_idle_streams_keep_alive) {
  runtime::actor_registry reg;
  const auto root = reg.add("supervisor", 0, {});
  auto limits = quick();
  limits.min_gap = milliseconds(300);
  stream_reader s(ops::actor_stream_route(reg, false, limits).handler({}));
  BOOST_CHECK_EQUAL(data_of(s.next(), "snapshot")["chaos"], false);

  // The first change after the snapshot waits out the gap; the burst joins it.
  for (int i = 0; i < 50; ++i) reg.add("audio_stream", root, {{"user", std::to_string(i)}});
  auto change = data_of(s.next(), "change");
  BOOST_REQUIRE(change.is_object());
  BOOST_CHECK_EQUAL(change["upsert"].size(), 50u);

  // A label refreshed with the value it has is no change at all.
  reg.set_label(root, "name", "x");
  BOOST_CHECK_EQUAL(data_of(s.next(), "change")["upsert"].size(), 1u);
  reg.set_label(root, "name", "x");
  BOOST_CHECK_EQUAL(s.next(), ": keepalive\n\n");
}

BOOST_AUTO_TEST_CASE(streams_are_limited_and_a_gone_client_frees_its_slot) {
  runtime::actor_registry reg;
  reg.add("supervisor", 0, {});
  auto limits = quick();
  limits.max_streams = 1;
  auto route = ops::actor_stream_route(reg, false, limits);
  {
    stream_reader first(route.handler({}));
    BOOST_CHECK(data_of(first.next(), "snapshot").is_object());
    auto refused = route.handler({});
    BOOST_CHECK_EQUAL(refused.status, 503);
    BOOST_CHECK(!refused.stream);
    BOOST_CHECK(json::parse(refused.body)["error"] == "too_many_streams");
    first.hang_up();  // noticed at the next keepalive
    BOOST_CHECK(first.returned(milliseconds(2000)));
  }
  auto again = route.handler({});
  BOOST_CHECK_EQUAL(again.status, 200);
  BOOST_CHECK(again.stream);
}

BOOST_FIXTURE_TEST_CASE(the_console_and_its_stream_over_http, test::app_fixture) {
  auto page = test::get(url("/ui"));
  BOOST_CHECK_EQUAL(page.status, 200);
  BOOST_CHECK(page.content_type.rfind("text/html", 0) == 0);
  BOOST_CHECK(page.body.find("<html") != std::string::npos);
  bool csp = false;
  for (const auto& h : page.headers)
    csp = csp || h.rfind("Content-Security-Policy: default-src 'self'", 0) == 0;
  BOOST_CHECK(csp);
  for (const char* asset : {"/ui/model.js", "/ui/view.js", "/ui/console.css"}) {
    auto r = test::get(url(asset));
    BOOST_CHECK_MESSAGE(r.status == 200 && !r.body.empty(), asset);
  }
  BOOST_CHECK(test::get(url("/ui/model.js")).content_type.rfind("text/javascript", 0) == 0);

  // The stream over a real socket: headers, then the snapshot with the whole tree.
  const auto got = read_until(app.ops_port(), "/actors/stream", "\"engines\"", milliseconds(5000));
  BOOST_CHECK(got.find("Content-Type: text/event-stream") != std::string::npos);
  BOOST_CHECK(got.find("Content-Length") == std::string::npos);
  BOOST_CHECK(got.find("event: snapshot") != std::string::npos);
  BOOST_CHECK(got.find("\"chaos\":true") != std::string::npos);
  BOOST_CHECK(got.find("\"engines\"") != std::string::npos);
  BOOST_CHECK(test::get(url("/help")).body.find("GET /actors/stream") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_kill_reaches_an_open_stream, test::app_fixture) {
  auto reg = &app.registry();
  std::uint64_t engines = 0;
  for (const auto& a : reg->snapshot())
    if (a.tags.count("engine") != 0 && a.tags.at("engine") == "tts") engines = a.id;
  BOOST_REQUIRE(engines != 0);
  stream_reader s(ops::actor_stream_route(*reg, true, quick()).handler({}));
  BOOST_REQUIRE(data_of(s.next(), "snapshot").is_object());
  BOOST_CHECK_EQUAL(kill(engines).status, 202);
  bool restarted = false;
  for (auto c = s.next(); !c.empty() && !restarted; c = s.next()) {
    auto d = data_of(c, "change");
    if (!d.is_object()) continue;
    for (const auto& a : d["upsert"])
      restarted = restarted || (a["id"] == engines && a["restarts"] == 1);
  }
  BOOST_CHECK(restarted);
}

BOOST_AUTO_TEST_SUITE_END()
