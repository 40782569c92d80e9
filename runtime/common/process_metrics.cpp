#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "runtime/common/metrics.hpp"

namespace parley::runtime {
namespace {

prometheus::MetricFamily single(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  return {name, help, type, {m}};
}

double open_fds() {
  double n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
    n -= 3;  // ".", ".." and the directory's own descriptor
  }
  return n;
}

double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

// The memory this process may use: its cgroup's limit (v2, then v1), else
// the machine's. The memory alert compares the resident set with it.
double memory_limit() {
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string v;
    // "max", or v1's "unlimited" (a number near 2^63): no limit there.
    if (in >> v && v != "max" && v.size() < 19) return std::stod(v);
  }
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

class process_collector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    using prometheus::MetricType;
    // Fields of /proc/self/stat after the command name (which may hold spaces).
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(rest), {}};
    if (f.size() < 22) return {};
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    const double cpu = (std::stod(f[11]) + std::stod(f[12])) / tick;
    const double start = boot_time() + std::stod(f[19]) / tick;
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    return {
        single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
               MetricType::Counter, cpu),
        single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
               std::stod(f[21]) * page),
        single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
               std::stod(f[20])),
        single("process_start_time_seconds", "Start time of the process since unix epoch.",
               MetricType::Gauge, start),
        single("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
               open_fds()),
        single("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
               static_cast<double>(lim.rlim_cur)),
        single("parley_memory_limit_bytes",
               "Memory this process may use: its cgroup's limit, else the machine's.",
               MetricType::Gauge, memory_limit()),
    };
  }
};

}  // namespace

std::shared_ptr<prometheus::Collectable> make_process_collector() {
  return std::make_shared<process_collector>();
}

}  // namespace parley::runtime
