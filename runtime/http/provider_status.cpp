#include "runtime/http/provider_status.hpp"

#include <utility>

namespace parley::http {

provider_status::provider_status(std::string engine_name, std::string provider_name, on_failure p,
                                 runtime::circuit_breaker::settings s,
                                 runtime::circuit_breaker::clock_fn clock)
    : engine(std::move(engine_name)),
      provider(std::move(provider_name)),
      policy(p),
      breaker(s, std::move(clock)) {}

void provider_status::failed(const std::string& reason,
                             std::optional<std::chrono::milliseconds> retry_after) {
  ++failures;
  if (retry_after)
    breaker.hold_off(*retry_after);
  else
    breaker.record_failure();
  std::lock_guard<std::mutex> lock(mutex_);
  last_failure_ = reason;
  last_failure_at_ = std::chrono::system_clock::now();
}

void provider_status::succeeded() {
  breaker.record_success();
}

provider_status::snapshot provider_status::read() const {
  snapshot s{engine,       provider,        to_string(policy), to_string(breaker.current()),
             calls.load(), failures.load(), retries.load(),    fallbacks.load(),
             {},           std::nullopt};
  std::lock_guard<std::mutex> lock(mutex_);
  s.last_failure = last_failure_;
  s.last_failure_at = last_failure_at_;
  return s;
}

std::string to_string(on_failure p) {
  return p == on_failure::fallback ? "fallback" : "apologise";
}

std::optional<on_failure> parse_on_failure(const std::string& s) {
  if (s == "fallback") return on_failure::fallback;
  if (s == "apologise" || s == "apologize") return on_failure::apologise;
  return std::nullopt;
}

void provider_board::add(std::shared_ptr<provider_status> s) {
  std::lock_guard<std::mutex> lock(mutex_);
  all_.push_back(std::move(s));
}

std::vector<std::shared_ptr<const provider_status>> provider_board::all() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {all_.begin(), all_.end()};
}

}  // namespace parley::http
