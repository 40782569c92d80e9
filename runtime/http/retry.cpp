#include "runtime/http/retry.hpp"

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>

namespace parley::http {

std::chrono::milliseconds backoff(const retry_settings& settings, int n) {
  const auto doubled = settings.first_backoff * (1LL << std::min(n - 1, 16));
  const auto capped = std::min<std::chrono::milliseconds>(doubled, settings.max_backoff);
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<long long> half(capped.count() / 2, capped.count());
  return std::chrono::milliseconds(half(rng));
}

bool wait_unless_cancelled(std::chrono::milliseconds d, const std::function<bool()>& cancelled) {
  const auto until = std::chrono::steady_clock::now() + d;
  constexpr auto slice = std::chrono::milliseconds(20);
  for (auto now = std::chrono::steady_clock::now(); now < until;
       now = std::chrono::steady_clock::now()) {
    if (cancelled && cancelled()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(slice, until - now));
  }
  return !(cancelled && cancelled());
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  const auto v = value.substr(first, value.find_last_not_of(" \t\r\n") - first + 1);
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return std::nullopt;  // past a decade: not a real answer
    return std::chrono::seconds(std::stoll(v));
  }
  // An HTTP date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto left = at - std::chrono::system_clock::now();
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(left));
}

}  // namespace parley::http
