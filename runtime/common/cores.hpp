#pragma once
// How many cores this process may really use: its CPU affinity (taskset,
// cpuset), capped by its cgroup's CPU quota (`docker run --cpus`, a
// Kubernetes CPU limit). A container on a 64-core host limited to two
// cores should size its pools for two.

#include <cstddef>
#include <optional>
#include <string>

namespace parley::runtime {

// The quota in cores from a cgroup file system mounted at `root`: cgroup
// v2's cpu.max ("max 100000" or "200000 100000"), else v1's
// cpu/cpu.cfs_quota_us over cpu/cpu.cfs_period_us. None when unlimited or
// unreadable.
std::optional<double> cgroup_cpu_quota(const std::string& root = "/sys/fs/cgroup");

// At least 1: the affinity's count, capped by the quota rounded up.
std::size_t cores_allowed(std::size_t affinity, std::optional<double> quota);

// cores_allowed() for this process.
std::size_t usable_cores();

}  // namespace parley::runtime
