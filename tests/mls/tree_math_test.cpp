// Tree math against the working group's tree-math vectors (RFC 9420
// Appendix C): root, left, right, parent and sibling of every node for
// trees of 1 to 512 leaves, plus the derived paths on small trees.

#include <boost/test/unit_test.hpp>
#include <cstdint>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
namespace tmath = parley::mls::tree_math;

namespace {

// -1 stands for "none" (a null in the vectors, a throw from tree math).
std::int64_t expected_at(const nlohmann::json& list, std::uint32_t i) {
  const auto& v = list.at(i);
  if (v.is_null()) return -1;
  return v.get<std::uint32_t>();
}

template <class F>
std::int64_t or_none(F&& f) {
  try {
    return f();
  } catch (const error&) {
    return -1;
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_tree_math)

BOOST_AUTO_TEST_CASE(vectors) {
  const auto vectors = test::load_vectors("tree-math");
  BOOST_REQUIRE(!vectors.empty());
  std::size_t checked = 0;
  for (const auto& v : vectors) {
    const auto n = v.at("n_leaves").get<std::uint32_t>();
    const auto width = v.at("n_nodes").get<std::uint32_t>();
    BOOST_TEST(tmath::node_width(n) == width);
    BOOST_TEST(tmath::leaf_width(width) == n);
    BOOST_TEST(tmath::root(n) == v.at("root").get<std::uint32_t>());
    for (std::uint32_t i = 0; i < width; ++i) {
      BOOST_TEST_CONTEXT("n_leaves " << n << " node " << i) {
        BOOST_TEST(or_none([&] { return tmath::left(i); }) == expected_at(v.at("left"), i));
        BOOST_TEST(or_none([&] { return tmath::right(i); }) == expected_at(v.at("right"), i));
        BOOST_TEST(or_none([&] { return tmath::parent(i, n); }) == expected_at(v.at("parent"), i));
        BOOST_TEST(or_none([&] { return tmath::sibling(i, n); }) ==
                   expected_at(v.at("sibling"), i));
      }
      ++checked;
    }
  }
  BOOST_TEST_MESSAGE("tree-math: " << vectors.size() << " trees, " << checked << " nodes checked");
}

BOOST_AUTO_TEST_CASE(paths_and_ancestors) {
  // Eight leaves: 0..14, root 7.
  BOOST_TEST(tmath::direct_path(0, 8) == (std::vector<std::uint32_t>{1, 3, 7}));
  BOOST_TEST(tmath::copath(0, 8) == (std::vector<std::uint32_t>{2, 5, 11}));
  BOOST_TEST(tmath::direct_path(10, 8) == (std::vector<std::uint32_t>{9, 11, 7}));
  BOOST_TEST(tmath::copath(10, 8) == (std::vector<std::uint32_t>{8, 13, 3}));
  BOOST_TEST(tmath::direct_path(7, 8).empty());
  BOOST_TEST(tmath::copath(7, 8).empty());
  BOOST_TEST(tmath::common_ancestor(0, 2) == 1U);
  BOOST_TEST(tmath::common_ancestor(0, 14) == 7U);
  BOOST_TEST(tmath::common_ancestor(8, 14) == 11U);
  BOOST_TEST(tmath::common_ancestor(5, 4) == 5U);
  BOOST_TEST(tmath::common_ancestor(6, 6) == 6U);
  BOOST_TEST(tmath::common_ancestor(3, 12) == 7U);
  BOOST_TEST(tmath::in_subtree(4, 3));
  BOOST_TEST(!tmath::in_subtree(8, 3));
  BOOST_TEST(!tmath::in_subtree(7, 3));
  BOOST_TEST(tmath::in_subtree(3, 3));
  BOOST_TEST(tmath::leaf_to_node(5) == 10U);
  BOOST_TEST(tmath::node_to_leaf(10) == 5U);
  BOOST_CHECK_THROW(tmath::node_to_leaf(3), error);
  BOOST_CHECK_THROW(tmath::parent(7, 8), error);
  BOOST_CHECK_THROW(tmath::parent(15, 8), error);
  BOOST_CHECK_THROW(tmath::root(0), error);
  // Common ancestors agree with the direct paths on every pair.
  for (std::uint32_t a = 0; a < 15; ++a) {
    for (std::uint32_t b = 0; b < 15; ++b) {
      auto pa = tmath::direct_path(a, 8);
      pa.insert(pa.begin(), a);
      std::uint32_t expected = 7;
      for (auto x : pa) {
        if (tmath::in_subtree(b, x)) {
          expected = x;
          break;
        }
      }
      BOOST_TEST(tmath::common_ancestor(a, b) == expected);
    }
  }
  // The largest tree the 32-bit indices allow still has a root.
  BOOST_TEST(tmath::root(0x80000000U) == 0x7FFFFFFFU);
}

BOOST_AUTO_TEST_SUITE_END()
