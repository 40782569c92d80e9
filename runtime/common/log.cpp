#include "runtime/common/log.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace parley::log {
namespace {

// Identical info and warn lines (same component and message) beyond
// `per_second` in one second are dropped; the next one written says how
// many were ("suppressed"). A restart storm or a flood of bad clients then
// costs a few lines a second, not thousands. Errors and debug lines are
// never dropped: errors matter one by one, debug is asked for.
struct rate_limit {
  struct window {
    std::chrono::steady_clock::time_point start;
    std::size_t written = 0, suppressed = 0;
  };
  std::size_t per_second = 20;
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  std::map<std::string, window> windows;

  // nullopt: drop this line; otherwise how many were dropped before it.
  std::optional<std::size_t> admit(const char* component, const std::string& message) {
    const auto t = now();
    if (windows.size() > 1000) windows.clear();  // messages with varying text
    auto& w = windows[std::string(component) + '\x1f' + message];
    if (t - w.start >= std::chrono::seconds(1)) {
      w.start = t;
      w.written = 0;
    }
    if (w.written >= per_second) {
      ++w.suppressed;
      return std::nullopt;
    }
    ++w.written;
    return std::exchange(w.suppressed, 0);
  }
};

struct sink {
  std::mutex mutex;
  std::FILE* out = stdout;
  std::vector<std::string> secrets;
  rate_limit limit;
  std::shared_ptr<const std::function<void(const std::string&)>> error_hook;
};

sink& the_sink() {
  static sink s;
  return s;
}

std::atomic<int> min_level{static_cast<int>(runtime::log_level::info)};

std::string timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto t = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

void redact(std::string& line, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    for (auto pos = line.find(s); pos != std::string::npos; pos = line.find(s, pos))
      line.replace(pos, s.size(), "[redacted]");
  }
}

}  // namespace

void set_level(runtime::log_level level) {
  min_level = static_cast<int>(level);
}

bool enabled(runtime::log_level level) {
  return static_cast<int>(level) >= min_level;
}

void set_output(std::FILE* out) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard(s.mutex);
  s.out = out;
}

void add_secret(const std::string& secret) {
  // Very short values would redact ordinary words; config enforces nothing
  // about token length, so guard here.
  if (secret.size() < 4) return;
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard(s.mutex);
  s.secrets.push_back(secret);
}

void write(runtime::log_level level, const char* component, const std::string& message,
           const std::vector<field>& extra) {
  if (!enabled(level)) return;
  nlohmann::json line = {{"ts", timestamp()},
                         {"level", runtime::to_string(level)},
                         {"component", component},
                         {"msg", message}};
  for (const auto& [key, value] : extra) line[key] = value;
  auto& s = the_sink();
  std::shared_ptr<const std::function<void(const std::string&)>> hook;
  std::string hooked;
  {
    std::lock_guard<std::mutex> guard(s.mutex);
    if (level == runtime::log_level::info || level == runtime::log_level::warn) {
      const auto dropped = s.limit.admit(component, message);
      if (!dropped) return;
      if (*dropped > 0) line["suppressed"] = std::to_string(*dropped);
    }
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    redact(text, s.secrets);
    std::fputs(text.c_str(), s.out);
    std::fputc('\n', s.out);
    std::fflush(s.out);
    if (level >= runtime::log_level::error) {
      hook = s.error_hook;
      hooked = std::move(text);
    }
  }
  if (hook) (*hook)(hooked);
}

void set_rate_limit(std::size_t per_second,
                    std::function<std::chrono::steady_clock::time_point()> clock) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard(s.mutex);
  s.limit.per_second = per_second;
  if (clock) s.limit.now = std::move(clock);
  s.limit.windows.clear();
}

void set_error_hook(std::function<void(const std::string& json_line)> hook) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard(s.mutex);
  s.error_hook =
      hook ? std::make_shared<const std::function<void(const std::string&)>>(std::move(hook))
           : nullptr;
}

}  // namespace parley::log

namespace parley::runtime {

std::string to_string(log_level l) {
  switch (l) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "info";
}

std::optional<log_level> parse_log_level(const std::string& s) {
  for (auto l : {log_level::debug, log_level::info, log_level::warn, log_level::error})
    if (to_string(l) == s) return l;
  return std::nullopt;
}

}  // namespace parley::runtime
