#pragma once
// A circuit breaker for calls to a remote provider: after enough failures in
// a row the caller stops waiting on a provider that is down, and tries it
// again, once, after a cooldown.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

namespace parley::runtime {

struct circuit_breaker_settings {
  std::size_t failure_threshold = 3;  // consecutive failures that open the breaker
  std::chrono::milliseconds cooldown{30000};
};

// closed -> open after `failure_threshold` consecutive failures; open ->
// half_open once `cooldown` has passed (allow() lets one trial call through);
// half_open -> closed on its success, back to open on its failure.
// Thread-safe. The clock is a parameter so that tests need no sleeps.
class circuit_breaker {
 public:
  enum class state { closed, open, half_open };
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

  using settings = circuit_breaker_settings;

  explicit circuit_breaker(settings s = settings(), clock_fn clock = {});

  // True: make the call, then report it with record_success/record_failure.
  // False while open, and while a half-open trial is in flight (only one).
  bool allow();
  void record_success();
  void record_failure();
  // The provider said when to come back (429 with Retry-After): open now
  // and stay open for `wait` (the usual cooldown when it is not positive).
  void hold_off(std::chrono::milliseconds wait);

  state current() const;
  std::size_t consecutive_failures() const;

 private:
  settings settings_;
  clock_fn clock_;
  mutable std::mutex mutex_;
  state state_ = state::closed;
  std::size_t failures_ = 0;
  std::chrono::steady_clock::time_point opened_at_{};
  std::chrono::milliseconds open_for_{0};  // this opening's cooldown
};

std::string to_string(circuit_breaker::state s);

}  // namespace parley::runtime
