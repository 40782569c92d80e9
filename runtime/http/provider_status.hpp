#pragma once
// What Parley has seen of one remote provider (an STT or TTS service): its
// counters, its circuit breaker and its last failure. Shared by every call
// to the provider, by the engine a restarted host loads (so neither the
// counts nor the breaker start over), by the metrics and by /health.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/common/circuit_breaker.hpp"

namespace parley::http {

// When the provider cannot be used, the embedded engine serves (fallback), or
// the turn fails and the user hears or sees the apology (apologise).
enum class on_failure { fallback, apologise };

class provider_status {
 public:
  provider_status(std::string engine, std::string provider,
                  on_failure policy = on_failure::fallback,
                  runtime::circuit_breaker::settings s = {},
                  runtime::circuit_breaker::clock_fn clock = {});

  const std::string engine;    // "stt" | "tts"
  const std::string provider;  // "openai" | "deepgram" | "elevenlabs"
  const on_failure policy;
  runtime::circuit_breaker breaker;

  std::atomic<std::uint64_t> calls{0};      // calls made to the provider
  std::atomic<std::uint64_t> failures{0};   // calls that failed (after their retries)
  std::atomic<std::uint64_t> retries{0};    // calls repeated after a failure that allowed it
  std::atomic<std::uint64_t> fallbacks{0};  // served by the embedded engine instead

  // A failed call: counted, told to the breaker (held off for `retry_after`
  // when the provider said so), remembered. `reason` must hold no secret.
  void failed(const std::string& reason,
              std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  void succeeded();
  void fell_back() { ++fallbacks; }

  struct snapshot {
    std::string engine, provider, policy, breaker;
    std::uint64_t calls, failures, retries, fallbacks;
    std::string last_failure;  // "" when none yet
    std::optional<std::chrono::system_clock::time_point> last_failure_at;
  };
  snapshot read() const;

 private:
  mutable std::mutex mutex_;
  std::string last_failure_;
  std::optional<std::chrono::system_clock::time_point> last_failure_at_;
};

std::string to_string(on_failure p);
std::optional<on_failure> parse_on_failure(const std::string& s);

// Every provider the process uses, for /health and /metrics.
class provider_board {
 public:
  void add(std::shared_ptr<provider_status> s);
  std::vector<std::shared_ptr<const provider_status>> all() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<provider_status>> all_;
};

}  // namespace parley::http
