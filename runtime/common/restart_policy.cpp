#include "runtime/common/restart_policy.hpp"

#include <algorithm>

namespace parley::runtime {

bool should_restart(restart_type type, bool abnormal_exit) {
  switch (type) {
    case restart_type::permanent:
      return true;
    case restart_type::transient:
      return abnormal_exit;
    case restart_type::temporary:
      return false;
  }
  return false;
}

std::chrono::milliseconds backoff_policy::delay(std::uint32_t attempt, std::mt19937& rng) const {
  if (attempt == 0) return std::chrono::milliseconds{0};
  const auto shift = std::min<std::uint32_t>(attempt - 1, 20);
  const double raw = std::min(static_cast<double>(base.count()) * static_cast<double>(1u << shift),
                              static_cast<double>(cap.count()));
  std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
  const double jittered = std::min(raw * spread(rng), static_cast<double>(cap.count()));
  return std::chrono::milliseconds{static_cast<long long>(jittered)};
}

bool restart_window::admit(std::chrono::steady_clock::time_point now) {
  while (!times_.empty() && now - times_.front() >= policy_.period) times_.pop_front();
  times_.push_back(now);
  return times_.size() <= policy_.max_restarts;
}

}  // namespace parley::runtime
