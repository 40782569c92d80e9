#pragma once
// Retries with backoff for calls to remote providers, only where the client
// said a retry is safe, and never past the call's deadline.

#include <chrono>
#include <functional>
#include <optional>

#include "runtime/http/provider_error.hpp"
#include "runtime/http/provider_status.hpp"

namespace parley::http {

struct retry_settings {
  int max_attempts = 3;
  std::chrono::milliseconds first_backoff{100};  // doubled each time, with jitter
  std::chrono::milliseconds max_backoff{1000};
};

// Runs `attempt(time_left)` until it returns. A provider_error that is
// retryable is tried again after a backoff (or the provider's Retry-After)
// when that still leaves time before `deadline` and attempts remain; any
// other exception, or the last one, propagates. `cancelled` (may be empty)
// is checked while waiting: a cancelled wait throws provider_error
// ("cancelled", not retryable). Retries are counted in `status`.
template <class T>
T with_retries(const std::function<T(std::chrono::milliseconds)>& attempt,
               std::chrono::steady_clock::time_point deadline, const retry_settings& settings,
               provider_status* status, const std::function<bool()>& cancelled = {});

// The wait before attempt `n` (1-based: the first retry is n = 1), jittered
// to 50..100 % of the doubled backoff.
std::chrono::milliseconds backoff(const retry_settings& settings, int n);

// Sleeps `d` in short slices; false when `cancelled` said so first.
bool wait_unless_cancelled(std::chrono::milliseconds d, const std::function<bool()>& cancelled);

template <class T>
T with_retries(const std::function<T(std::chrono::milliseconds)>& attempt,
               std::chrono::steady_clock::time_point deadline, const retry_settings& settings,
               provider_status* status, const std::function<bool()>& cancelled) {
  using namespace std::chrono;
  for (int n = 1;; ++n) {
    const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) throw provider_error("deadline passed before the call", false);
    try {
      return attempt(left);
    } catch (const provider_error& e) {
      if (!e.retryable() || n >= settings.max_attempts) throw;
      const auto wait = e.retry_after().value_or(backoff(settings, n));
      if (steady_clock::now() + wait >= deadline) throw;
      if (status != nullptr) ++status->retries;
      if (!wait_unless_cancelled(wait, cancelled)) throw provider_error("cancelled", false);
    }
  }
}

}  // namespace parley::http
