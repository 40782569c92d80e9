#include "runtime/common/circuit_breaker.hpp"

#include <utility>

namespace parley::runtime {

circuit_breaker::circuit_breaker(settings s, clock_fn clock)
    : settings_(s), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
  if (settings_.failure_threshold == 0) settings_.failure_threshold = 1;
}

bool circuit_breaker::allow() {
  std::lock_guard<std::mutex> lock(mutex_);
  switch (state_) {
    case state::closed:
      return true;
    case state::half_open:
      return false;  // the trial call is still out: everyone else waits for its verdict
    case state::open:
      if (clock_() - opened_at_ < open_for_) return false;
      state_ = state::half_open;
      return true;
  }
  return false;
}

void circuit_breaker::record_success() {
  std::lock_guard<std::mutex> lock(mutex_);
  state_ = state::closed;
  failures_ = 0;
}

void circuit_breaker::record_failure() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++failures_;
  // A failed trial reopens at once; a closed breaker waits for the threshold.
  // A call let through before the breaker opened and failing late (open)
  // restarts the cooldown: the provider is still failing.
  if (state_ != state::closed || failures_ >= settings_.failure_threshold) {
    state_ = state::open;
    opened_at_ = clock_();
    open_for_ = settings_.cooldown;
  }
}

void circuit_breaker::hold_off(std::chrono::milliseconds wait) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++failures_;
  state_ = state::open;
  opened_at_ = clock_();
  open_for_ = wait.count() > 0 ? wait : settings_.cooldown;
}

circuit_breaker::state circuit_breaker::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_;
}

std::size_t circuit_breaker::consecutive_failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failures_;
}

std::string to_string(circuit_breaker::state s) {
  switch (s) {
    case circuit_breaker::state::closed:
      return "closed";
    case circuit_breaker::state::open:
      return "open";
    case circuit_breaker::state::half_open:
      return "half_open";
  }
  return "closed";
}

}  // namespace parley::runtime
