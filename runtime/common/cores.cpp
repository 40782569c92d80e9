#include "runtime/common/cores.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <thread>

namespace parley::runtime {
namespace {

// "QUOTA PERIOD" in cores, or none for "max" or anything unexpected.
std::optional<double> ratio(const std::string& quota, const std::string& period) {
  try {
    const double q = std::stod(quota);
    const double p = std::stod(period);
    if (q <= 0 || p <= 0) return std::nullopt;  // v1 says -1 for no quota
    return q / p;
  } catch (const std::exception&) {
    return std::nullopt;  // "max", or not a number
  }
}

}  // namespace

std::optional<double> cgroup_cpu_quota(const std::string& root) {
  std::string quota, period;
  if (std::ifstream v2(root + "/cpu.max"); v2 >> quota >> period) return ratio(quota, period);
  std::ifstream q(root + "/cpu/cpu.cfs_quota_us");
  std::ifstream p(root + "/cpu/cpu.cfs_period_us");
  if (q >> quota && p >> period) return ratio(quota, period);
  return std::nullopt;
}

std::size_t cores_allowed(std::size_t affinity, std::optional<double> quota) {
  std::size_t n = std::max<std::size_t>(affinity, 1);
  if (quota) n = std::min(n, static_cast<std::size_t>(std::ceil(*quota)));
  return std::max<std::size_t>(n, 1);
}

std::size_t usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::size_t affinity = std::thread::hardware_concurrency();
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    affinity = static_cast<std::size_t>(CPU_COUNT(&set));
  return cores_allowed(affinity, cgroup_cpu_quota());
}

}  // namespace parley::runtime
