#pragma once
// How a remote engine's client reports a failed call: the message (never a
// key) and what the caller may do about it.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace parley::http {

class provider_error : public std::runtime_error {
 public:
  // `retryable`: repeating the same call may succeed and is harmless (a
  // refused connection, a 5xx or 429, nothing of the answer used yet).
  // `retry_after`: the provider's Retry-After, when it sent one.
  provider_error(const std::string& message, bool retryable,
                 std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : std::runtime_error(message), retryable_(retryable), retry_after_(retry_after) {}

  bool retryable() const { return retryable_; }
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }

 private:
  bool retryable_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

// A Retry-After header's value: delta-seconds, or an HTTP date (RFC 9110
// 10.2.3); nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

}  // namespace parley::http
