#include "runtime/common/cores.hpp"

#include <unistd.h>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

using namespace parley::runtime;
namespace fs = std::filesystem;

namespace {

// A cgroup file system of our own, as a container sees its own cgroup.
struct cgroup_dir {
  fs::path root = fs::temp_directory_path() / ("parley-cgroup-" + std::to_string(::getpid()));
  cgroup_dir() { fs::create_directories(root / "cpu"); }
  ~cgroup_dir() { fs::remove_all(root); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(root / name) << text;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cores)

BOOST_AUTO_TEST_CASE(cgroup_v2_cpu_max_gives_the_quota_in_cores) {
  cgroup_dir d;
  d.write("cpu.max", "150000 100000\n");
  BOOST_CHECK_CLOSE(*cgroup_cpu_quota(d.root.string()), 1.5, 1e-9);
  d.write("cpu.max", "max 100000\n");
  BOOST_CHECK(!cgroup_cpu_quota(d.root.string()));
}

BOOST_AUTO_TEST_CASE(cgroup_v1_quota_and_period_and_no_limit) {
  cgroup_dir d;
  d.write("cpu/cpu.cfs_quota_us", "200000\n");
  d.write("cpu/cpu.cfs_period_us", "100000\n");
  BOOST_CHECK_CLOSE(*cgroup_cpu_quota(d.root.string()), 2.0, 1e-9);
  d.write("cpu/cpu.cfs_quota_us", "-1\n");
  BOOST_CHECK(!cgroup_cpu_quota(d.root.string()));
  BOOST_CHECK(!cgroup_cpu_quota((d.root / "absent").string()));
}

BOOST_AUTO_TEST_CASE(the_quota_caps_the_affinity_rounded_up_and_never_below_one) {
  BOOST_CHECK_EQUAL(cores_allowed(64, 2.0), 2u);
  BOOST_CHECK_EQUAL(cores_allowed(64, 1.5), 2u);
  BOOST_CHECK_EQUAL(cores_allowed(4, std::nullopt), 4u);
  BOOST_CHECK_EQUAL(cores_allowed(2, 8.0), 2u);
  BOOST_CHECK_EQUAL(cores_allowed(4, 0.1), 1u);
  BOOST_CHECK_EQUAL(cores_allowed(0, std::nullopt), 1u);
  BOOST_CHECK_GE(usable_cores(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
