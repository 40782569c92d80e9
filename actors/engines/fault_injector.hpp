#pragma once
// Chaos: faults armed through the ops endpoint (POST /faults) and taken by the
// next engine calls of a stage, so tests can make engines throw, hang or
// crawl without touching the engines themselves.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace parley::engines {

enum class fault { none, raise, hang, slow };

struct armed_fault {
  fault kind = fault::none;
  std::chrono::milliseconds hang{5000};  // how long a hang (or a slow call) blocks
};

std::optional<fault> parse_fault(const std::string& s);

class fault_injector {
 public:
  // The next `count` calls of `stage` ("stt", "agent", "tts") get `f`.
  void arm(const std::string& stage, armed_fault f, int count);
  // Takes one armed fault for the stage (kind none when there is none).
  armed_fault take(const std::string& stage);
  // Applies a taken fault on the calling (detached job) thread: raise
  // throws, hang blocks for its duration, slow blocks for its duration and
  // then lets the call go on.
  static void apply(const armed_fault& f);

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<armed_fault, int>> armed_;
};

}  // namespace parley::engines
