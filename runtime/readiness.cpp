#include "runtime/readiness.hpp"

namespace parley::runtime {

void readiness::require(const std::string& check, const std::string& reason) {
  std::lock_guard<std::mutex> guard(mutex_);
  known_[check] = true;
  failing_[check] = reason;
}

void readiness::set_ok(const std::string& check) {
  std::lock_guard<std::mutex> guard(mutex_);
  known_[check] = true;
  failing_.erase(check);
  changed_.notify_all();
}

void readiness::set_failing(const std::string& check, const std::string& reason) {
  std::lock_guard<std::mutex> guard(mutex_);
  known_[check] = true;
  failing_[check] = reason;
}

bool readiness::wait_ready(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return failing_.empty() && !draining_; });
}

readiness::report readiness::evaluate() const {
  report r;
  std::lock_guard<std::mutex> guard(mutex_);
  for (const auto& [name, _] : known_) {
    auto it = failing_.find(name);
    if (it == failing_.end()) {
      r.checks[name] = "ok";
    } else {
      r.checks[name] = it->second;
      r.reasons.push_back(name + ": " + it->second);
    }
  }
  if (draining_) r.reasons.emplace_back("draining: shutting down");
  r.checks["draining"] = draining_ ? "draining" : "ok";
  r.ready = r.reasons.empty();
  return r;
}

}  // namespace parley::runtime
