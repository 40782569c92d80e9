#include "actors/agent/command_agent.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <utility>
#include <vector>

namespace parley::agent {
namespace {

using words = std::vector<std::string>;

// Lower-case words; anything but letters, digits and apostrophes separates words.
words split_words(std::string_view text) {
  words out;
  std::string current;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '\'') {
      current += static_cast<char>(std::tolower(u));
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool has(const words& w, std::string_view word) {
  return std::find(w.begin(), w.end(), word) != w.end();
}

bool has_any(const words& w, std::initializer_list<std::string_view> options) {
  return std::any_of(options.begin(), options.end(), [&](auto o) { return has(w, o); });
}

bool asks_time(const words& w) {
  return has_any(w, {"time", "clock", "o'clock"});
}

bool asks_date(const words& w) {
  // "today" alone is too common ("how are you today") to mean the date.
  return has_any(w, {"date", "day", "weekday"}) || (has(w, "today") && has(w, "what"));
}

bool asks_status(const words& w) {
  return has_any(w, {"status", "uptime", "session", "sessions"}) ||
         (has(w, "how") && has(w, "long") && has_any(w, {"running", "up"}));
}

bool asks_help(const words& w) {
  return has_any(w, {"help", "commands"}) || (has(w, "what") && has(w, "can") && has(w, "do"));
}

// The words after "repeat", skipping a leading "after me"; nullopt when "repeat" is absent.
std::optional<std::string> repeat_payload(const words& w) {
  auto it = std::find(w.begin(), w.end(), "repeat");
  if (it == w.end()) return std::nullopt;
  ++it;
  for (int skipped = 0; skipped < 2 && it != w.end() && (*it == "after" || *it == "me"); ++skipped)
    ++it;
  std::string out;
  for (; it != w.end(); ++it) {
    if (!out.empty()) out += ' ';
    out += *it;
  }
  return out;
}

std::tm local_tm(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  tzset();  // localtime_r need not read TZ itself
  localtime_r(&t, &tm);
  return tm;
}

std::string plural(long long n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

constexpr std::string_view fallback_text =
    "Sorry, I did not understand that. Say help to hear what I can do.";
constexpr std::string_view help_text =
    "I can tell you the time, the date, or my status, and I can repeat what you say. "
    "Try: what time is it, what is the date, status, or repeat after me and your words.";

}  // namespace

std::string duration_in_words(std::chrono::seconds d) {
  const long long total = std::max<long long>(0, d.count());
  if (total < 60) return plural(total, "second");
  const std::array<std::pair<long long, const char*>, 3> units{
      {{total / 86400, "day"}, {total / 3600 % 24, "hour"}, {total / 60 % 60, "minute"}}};
  std::vector<std::string> parts;
  for (const auto& [n, unit] : units)
    if (n > 0) parts.push_back(plural(n, unit));
  std::string out = parts.front();
  for (std::size_t i = 1; i < parts.size(); ++i)
    out += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return out;
}

command_agent::command_agent(agent_facts facts)
    : facts_(std::move(facts)), started_(std::chrono::steady_clock::now()) {}

std::string command_agent::name() const {
  return "command";
}

std::optional<std::string> command_agent::respond(const agent_request& req,
                                                  const text_sink& on_text) {
  on_text(answer(req.transcript));
  return std::nullopt;
}

std::string command_agent::answer(std::string_view transcript) const {
  const words w = split_words(transcript);
  if (auto payload = repeat_payload(w)) {
    if (payload->empty()) return "Say repeat after me, then the words you want me to repeat.";
    return *payload;
  }
  const bool time = asks_time(w);
  const bool date = asks_date(w);
  if (time && date) return time_sentence() + " " + date_sentence();
  if (time) return time_sentence();
  if (date) return date_sentence();
  if (asks_status(w)) return status_sentence();
  if (asks_help(w)) return std::string(help_text);
  return std::string(fallback_text);
}

request_shape command_agent::shape(std::string_view transcript) const {
  const words w = split_words(transcript);
  if (auto payload = repeat_payload(w))
    return payload->empty() ? request_shape::unfinished : request_shape::unsure;
  const bool answers = asks_time(w) || asks_date(w) || asks_status(w) || asks_help(w);
  return answers ? request_shape::whole : request_shape::unsure;
}

std::string command_agent::time_sentence() const {
  const std::tm tm = local_tm(facts_.now ? facts_.now() : std::chrono::system_clock::now());
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  const std::string minutes = (tm.tm_min < 10 ? "0" : "") + std::to_string(tm.tm_min);
  return "It is " + std::to_string(hour12) + ":" + minutes + (tm.tm_hour < 12 ? " AM." : " PM.");
}

std::string command_agent::date_sentence() const {
  // Names spelled out here rather than strftime("%A"), which follows the C locale.
  static constexpr std::array<const char*, 7> days{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                   "Thursday", "Friday", "Saturday"};
  static constexpr std::array<const char*, 12> months{
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const std::tm tm = local_tm(facts_.now ? facts_.now() : std::chrono::system_clock::now());
  return std::string("Today is ") + days.at(tm.tm_wday) + ", " + months.at(tm.tm_mon) + " " +
         std::to_string(tm.tm_mday) + ", " + std::to_string(tm.tm_year + 1900) + ".";
}

std::string command_agent::status_sentence() const {
  const auto uptime = facts_.uptime ? facts_.uptime()
                                    : std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::steady_clock::now() - started_);
  std::string out = "I have been running";
  if (facts_.sessions) {
    const std::size_t n = facts_.sessions();
    out = n == 0 ? "I have no active sessions"
                 : "I have " + plural(static_cast<long long>(n), "active session");
    out += " and have been running";
  }
  return out + " for " + duration_in_words(uptime) + ".";
}

std::string echo_agent::name() const {
  return "echo";
}

std::optional<std::string> echo_agent::respond(const agent_request& req, const text_sink& on_text) {
  if (!req.transcript.empty()) on_text(req.transcript);
  return std::nullopt;
}

}  // namespace parley::agent
