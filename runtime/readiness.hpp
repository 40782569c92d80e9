#pragma once
// Readiness as named checks plus a drain flag: /readyz is 200 only when every
// check passes and the process is not draining. Liveness is separate.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace parley::runtime {

class readiness {
 public:
  // Declares a check that starts failing with `reason` until set_ok().
  void require(const std::string& check, const std::string& reason);
  void set_ok(const std::string& check);
  void set_failing(const std::string& check, const std::string& reason);

  void start_draining() { draining_ = true; }
  bool draining() const { return draining_; }

  struct report {
    bool ready = false;
    std::map<std::string, std::string> checks;  // name -> "ok" or the reason it fails
    std::vector<std::string> reasons;           // why not ready; empty when ready
  };
  report evaluate() const;
  // Blocks until ready or the timeout passes; true when ready.
  bool wait_ready(std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::string> failing_;  // check -> reason
  std::map<std::string, bool> known_;
  std::atomic<bool> draining_{false};
};

}  // namespace parley::runtime
