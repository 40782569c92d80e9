#include "runtime/server/error_reporter.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "runtime/common/build_info.hpp"

namespace parley::runtime {
namespace {

constexpr std::size_t max_queued = 100;
constexpr double burst = 10;
constexpr double per_second = 1.0 / 6;  // ten a minute once the burst is spent

std::string random_event_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id(32, '0');
  for (auto& c : id) c = hex[rng() & 15];
  return id;
}

std::string rfc3339_now() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::optional<sentry_dsn> parse_dsn(const std::string& dsn, std::string& why) {
  const auto scheme_end = dsn.find("://");
  const auto scheme = scheme_end == std::string::npos ? "" : dsn.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") {
    why = "a DSN starts with https:// (or http://)";
    return std::nullopt;
  }
  const auto rest = dsn.substr(scheme_end + 3);
  const auto at = rest.find('@');
  const auto slash = rest.rfind('/');
  if (at == std::string::npos || at == 0 || slash == std::string::npos || slash < at ||
      slash + 1 == rest.size()) {
    why = "a DSN looks like https://KEY@HOST/PROJECT_ID";
    return std::nullopt;
  }
  sentry_dsn out;
  out.dsn = dsn;
  out.public_key = rest.substr(0, std::min(at, rest.find(':')));
  const auto host_and_path = rest.substr(at + 1, slash - at - 1);  // host[:port][/path]
  const auto project = rest.substr(slash + 1);
  out.envelope_url = scheme + "://" + host_and_path + "/api/" + project + "/envelope/";
  return out;
}

std::string make_envelope(const sentry_dsn& dsn, const sentry_event& e, const std::string& event_id,
                          const std::string& release, const std::string& environment) {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  const nlohmann::json event{
      {"event_id", event_id},
      {"timestamp",
       std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()},
      {"platform", "native"},
      {"level", e.level},
      {"logger", "parley." + e.logger},
      {"message", {{"formatted", e.message}}},
      {"release", release},
      {"environment", environment},
      {"server_name", host},
      {"tags", e.tags}};
  const auto payload = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const nlohmann::json header{{"event_id", event_id}, {"dsn", dsn.dsn}, {"sent_at", rfc3339_now()}};
  const nlohmann::json item{{"type", "event"}, {"length", payload.size()}};
  return header.dump() + "\n" + item.dump() + "\n" + payload + "\n";
}

error_reporter::error_reporter(sentry_dsn dsn, std::string release, std::string environment)
    : dsn_(std::move(dsn)),
      release_(std::move(release)),
      environment_(std::move(environment)),
      tokens_(burst),
      last_(std::chrono::steady_clock::now()),
      thread_([this] { run(); }) {}

error_reporter::~error_reporter() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool error_reporter::admit() {
  const auto now = std::chrono::steady_clock::now();
  tokens_ =
      std::min(burst, tokens_ + per_second * std::chrono::duration<double>(now - last_).count());
  last_ = now;
  if (tokens_ < 1 || queue_.size() >= max_queued) {
    ++dropped_;
    return false;
  }
  tokens_ -= 1;
  return true;
}

bool error_reporter::report(sentry_event e) {
  const auto envelope = make_envelope(dsn_, e, random_event_id(), release_, environment_);
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (stopping_ || !admit()) return false;
    queue_.push_back(envelope);
  }
  wake_.notify_one();
  return true;
}

bool error_reporter::report_log_line(const std::string& json_line) {
  const auto j = nlohmann::json::parse(json_line, nullptr, false);
  if (!j.is_object()) return false;
  sentry_event e;
  e.level = j.value("level", "error") == "warn" ? "warning" : j.value("level", "error");
  e.logger = j.value("component", "parley");
  e.message = j.value("msg", "");
  for (const auto& [k, v] : j.items())
    if (k != "ts" && k != "level" && k != "component" && k != "msg" && v.is_string())
      e.tags[k] = v.get<std::string>().substr(0, 200);  // Sentry's tag value limit
  return report(std::move(e));
}

std::size_t error_reporter::sent() const {
  std::lock_guard<std::mutex> g(mutex_);
  return sent_;
}

std::size_t error_reporter::dropped() const {
  std::lock_guard<std::mutex> g(mutex_);
  return dropped_;
}

void error_reporter::run() {
  std::unique_lock<std::mutex> l(mutex_);
  for (;;) {
    wake_.wait(l, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    auto envelope = std::move(queue_.front());
    queue_.pop_front();
    l.unlock();
    post(envelope);
    l.lock();
    ++sent_;
  }
}

void error_reporter::post(const std::string& envelope) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return;
  const std::string auth = "X-Sentry-Auth: Sentry sentry_version=7, sentry_client=parley/" +
                           std::string(build_info::version) + ", sentry_key=" + dsn_.public_key;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-sentry-envelope");
  headers = curl_slist_append(headers, auth.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, dsn_.envelope_url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, envelope.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(envelope.size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl.get(), CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) { return size * n; });
  curl_easy_perform(curl.get());  // a lost report is only a lost report
  curl_slist_free_all(headers);
}

}  // namespace parley::runtime
