#include "runtime/common/readiness.hpp"

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

std::uint64_t readiness::claim(const std::string& check, const std::string& reason) {
  std::lock_guard<std::mutex> guard(mutex_);
  known_[check] = true;
  failing_[check] = reason;
  return owners_[check] = next_owner_++;
}

void readiness::set_ok(const std::string& check, std::uint64_t owner) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (owners_[check] != owner) return;
  failing_.erase(check);
  changed_.notify_all();
}

void readiness::set_failing(const std::string& check, const std::string& reason,
                            std::uint64_t owner) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (owners_[check] == owner) failing_[check] = reason;
}

void readiness::add_probe(const std::string& check, probe_fn probe) {
  std::lock_guard<std::mutex> guard(mutex_);
  probes_.emplace_back(check, std::move(probe));
}

bool readiness::set_checks_pass() const {
  return failing_.empty() && !draining_;
}

bool readiness::wait_ready(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!changed_.wait_until(lock, deadline, [this] { return set_checks_pass(); })) return false;
    }
    if (evaluate().ready) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // A probe fails: nothing notifies when it passes, so look again shortly.
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_until(
        lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(20)));
  }
}

readiness::report readiness::evaluate() const {
  report r;
  std::vector<std::pair<std::string, probe_fn>> probes;
  {
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
    probes = probes_;
  }
  for (const auto& [name, probe] : probes) {
    auto failure = probe();
    r.checks[name] = failure.value_or("ok");
    if (failure) r.reasons.push_back(name + ": " + *failure);
  }
  if (draining_) r.reasons.emplace_back("draining: shutting down");
  r.checks["draining"] = draining_ ? "draining" : "ok";
  r.ready = r.reasons.empty();
  return r;
}

}  // namespace parley::runtime
