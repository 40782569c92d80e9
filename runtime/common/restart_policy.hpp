#pragma once
// Recovery decisions as data: when a child is restarted, how long to wait
// first, and when a supervisor gives up and escalates.

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>

namespace parley::runtime {

// permanent: always restarted; transient: restarted after an abnormal exit;
// temporary: never restarted.
enum class restart_type { permanent, transient, temporary };

// one_for_one: only the failed child; one_for_all: every child;
// rest_for_one: the failed child and those started after it.
enum class strategy { one_for_one, one_for_all, rest_for_one };

bool should_restart(restart_type type, bool abnormal_exit);

struct backoff_policy {
  // The first restart in a period is immediate: recovery time is what users
  // notice. Repeated failures then wait base, 2*base, 4*base... up to cap.
  std::chrono::milliseconds base{10};
  std::chrono::milliseconds cap{2000};
  double jitter = 0.2;  // +/- fraction, so restarts of many children spread out
  // A child that ran this long before it died starts again from attempt 0.
  std::chrono::milliseconds reset_after{200};

  std::chrono::milliseconds delay(std::uint32_t attempt, std::mt19937& rng) const;
};

struct intensity_policy {
  std::uint32_t max_restarts = 5;
  std::chrono::milliseconds period{10000};
};

// Restarts within the sliding period; exceeding the limit means escalation.
class restart_window {
 public:
  explicit restart_window(intensity_policy policy) : policy_(policy) {}
  // Records a restart at `now`; false when the intensity is exceeded.
  bool admit(std::chrono::steady_clock::time_point now);
  std::uint32_t recent() const { return static_cast<std::uint32_t>(times_.size()); }

 private:
  intensity_policy policy_;
  std::deque<std::chrono::steady_clock::time_point> times_;
};

}  // namespace parley::runtime
