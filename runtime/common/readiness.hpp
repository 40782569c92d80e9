#pragma once
// Readiness as named checks plus a drain flag: /readyz is 200 only when every
// check passes and the process is not draining. Liveness is separate.
//
// A check is either set (by whoever knows, e.g. the voice port when it
// listens) or probed (computed each time readiness is read, e.g. whether
// the sessions supervisor answers through the tree): state that is only
// ever set can say "ready" long after it stopped being true.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace parley::runtime {

class readiness {
 public:
  // nullopt when the check passes, else why it fails.
  using probe_fn = std::function<std::optional<std::string>()>;

  // Declares a check that starts failing with `reason` until set_ok().
  void require(const std::string& check, const std::string& reason);
  void set_ok(const std::string& check);
  void set_failing(const std::string& check, const std::string& reason);

  // A check one incarnation of an actor owns at a time: claim() makes it
  // fail with `reason` and returns the owner's token; updates with an older
  // token are ignored, so a predecessor's last word cannot overwrite its
  // successor's.
  std::uint64_t claim(const std::string& check, const std::string& reason);
  void set_ok(const std::string& check, std::uint64_t owner);
  void set_failing(const std::string& check, const std::string& reason, std::uint64_t owner);

  // Runs at every evaluate(), outside the lock, in the reader's thread.
  void add_probe(const std::string& check, probe_fn probe);

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
  bool set_checks_pass() const;  // with mutex_ held

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::string> failing_;  // check -> reason
  std::map<std::string, bool> known_;
  std::map<std::string, std::uint64_t> owners_;  // claimed checks -> current token
  std::uint64_t next_owner_ = 1;
  std::vector<std::pair<std::string, probe_fn>> probes_;
  std::atomic<bool> draining_{false};
};

}  // namespace parley::runtime
