// One Boost.Test main for every suite. With PARLEY_TEST_SHARD=i/n it runs
// only every n-th test case, starting at the i-th (from 0): the suites wait
// on real time (people talking, replies playing) far more than they compute,
// so CTest runs the shards of one suite side by side (parley_add_test's
// SHARDS). Every case belongs to exactly one shard.
#define BOOST_TEST_MODULE parley
#define BOOST_TEST_NO_MAIN
#include <boost/test/tree/traverse.hpp>
#include <boost/test/tree/visitor.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace utf = boost::unit_test;

// Collects each test case's path ("suite/case") in registration order.
class case_paths : public utf::test_tree_visitor {
 public:
  std::vector<std::string> paths;

 private:
  std::vector<std::string> suites_;

  std::string prefix() const {
    std::string p;
    for (const auto& s : suites_) p += s + "/";
    return p;
  }
  void visit(const utf::test_case& tc) override { paths.push_back(prefix() + tc.p_name.get()); }
  bool test_suite_start(const utf::test_suite& ts) override {
    if (ts.p_parent_id != utf::INV_TEST_UNIT_ID) suites_.push_back(ts.p_name.get());
    return true;
  }
  void test_suite_finish(const utf::test_suite& ts) override {
    if (ts.p_parent_id != utf::INV_TEST_UNIT_ID) suites_.pop_back();
  }
};

// "i/n" with 0 <= i < n, or false.
bool parse_shard(const char* text, unsigned& index, unsigned& count) {
  const std::string s = text;
  const auto slash = s.find('/');
  if (slash == std::string::npos) return false;
  try {
    index = static_cast<unsigned>(std::stoul(s.substr(0, slash)));
    count = static_cast<unsigned>(std::stoul(s.substr(slash + 1)));
  } catch (const std::exception&) {
    return false;
  }
  return count > 0 && index < count;
}

}  // namespace

int main(int argc, char* argv[]) {
  std::vector<char*> args(argv, argv + argc);
  std::string filter;
  if (const char* shard = std::getenv("PARLEY_TEST_SHARD")) {
    unsigned index = 0;
    unsigned count = 0;
    if (!parse_shard(shard, index, count)) {
      std::cerr << "PARLEY_TEST_SHARD=\"" << shard << "\": expected i/n with 0 <= i < n\n";
      return 2;
    }
    case_paths all;
    utf::traverse_test_tree(utf::framework::master_test_suite(), all, true);
    std::size_t mine = 0;
    for (std::size_t i = index; i < all.paths.size(); i += count, ++mine)
      filter += (filter.empty() ? "--run_test=" : ":") + all.paths[i];
    std::cout << "shard " << shard << ": " << mine << " of " << all.paths.size() << " test cases\n";
    // A shard with no case left (more shards than cases) passes empty.
    if (filter.empty()) return 0;
    args.push_back(filter.data());
  }
  args.push_back(nullptr);
  return utf::unit_test_main(&init_unit_test, static_cast<int>(args.size() - 1), args.data());
}
