#include "actors/transport/discord/mls/tree_math.hpp"

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::mls::tree_math {

namespace {

// Index of the highest set bit; 0 for 0.
std::uint32_t log2(std::uint64_t x) {
  std::uint32_t k = 0;
  while ((x >> (k + 1)) > 0) ++k;
  return k;
}

}  // namespace

std::uint32_t level(std::uint32_t x) {
  std::uint32_t k = 0;
  while (k < 32 && ((x >> k) & 1U) == 1U) ++k;
  return k;
}

bool is_leaf(std::uint32_t x) {
  return (x & 1U) == 0;
}

std::uint32_t leaf_to_node(std::uint32_t leaf) {
  if (leaf > 0x7FFFFFFFU) throw error("leaf index out of range");
  return leaf * 2;
}

std::uint32_t node_to_leaf(std::uint32_t x) {
  if (!is_leaf(x)) throw error("node " + std::to_string(x) + " is not a leaf");
  return x / 2;
}

std::uint32_t node_width(std::uint32_t n_leaves) {
  if (n_leaves == 0) return 0;
  if (n_leaves > 0x80000000U) throw error("too many leaves");
  return 2 * (n_leaves - 1) + 1;
}

std::uint32_t leaf_width(std::uint32_t width) {
  if (width == 0) return 0;
  if (is_leaf(width)) throw error("an even node count is not a tree");
  return (width / 2) + 1;
}

std::uint32_t root(std::uint32_t n_leaves) {
  if (n_leaves == 0) throw error("an empty tree has no root");
  return static_cast<std::uint32_t>((std::uint64_t{1} << log2(node_width(n_leaves))) - 1);
}

std::uint32_t left(std::uint32_t x) {
  const auto k = level(x);
  if (k == 0) throw error("a leaf has no children");
  return x ^ (1U << (k - 1));
}

std::uint32_t right(std::uint32_t x) {
  const auto k = level(x);
  if (k == 0) throw error("a leaf has no children");
  return x ^ (3U << (k - 1));
}

std::uint32_t parent(std::uint32_t x, std::uint32_t n_leaves) {
  if (x == root(n_leaves)) throw error("the root has no parent");
  if (x >= node_width(n_leaves)) throw error("node outside the tree");
  const auto k = level(x);
  const std::uint64_t b = (std::uint64_t{x} >> (k + 1)) & 1U;
  return static_cast<std::uint32_t>((std::uint64_t{x} | (std::uint64_t{1} << k)) ^ (b << (k + 1)));
}

std::uint32_t sibling(std::uint32_t x, std::uint32_t n_leaves) {
  const auto p = parent(x, n_leaves);
  return x < p ? right(p) : left(p);
}

std::vector<std::uint32_t> direct_path(std::uint32_t x, std::uint32_t n_leaves) {
  std::vector<std::uint32_t> path;
  const auto r = root(n_leaves);
  while (x != r) {
    x = parent(x, n_leaves);
    path.push_back(x);
  }
  return path;
}

std::vector<std::uint32_t> copath(std::uint32_t x, std::uint32_t n_leaves) {
  std::vector<std::uint32_t> path;
  const auto r = root(n_leaves);
  while (x != r) {
    path.push_back(sibling(x, n_leaves));
    x = parent(x, n_leaves);
  }
  return path;
}

bool in_subtree(std::uint32_t x, std::uint32_t ancestor) {
  const auto k = level(ancestor);
  return level(x) <= k && (std::uint64_t{x} >> (k + 1)) == (std::uint64_t{ancestor} >> (k + 1));
}

std::uint32_t common_ancestor(std::uint32_t x, std::uint32_t y) {
  if (in_subtree(x, y)) return y;
  if (in_subtree(y, x)) return x;
  // Neither holds the other: strip low bits until the prefixes meet; the
  // ancestor is that prefix followed by a zero and k-1 ones.
  std::uint64_t xn = x;
  std::uint64_t yn = y;
  std::uint32_t k = 0;
  while (xn != yn) {
    xn >>= 1;
    yn >>= 1;
    ++k;
  }
  return static_cast<std::uint32_t>((xn << k) + (std::uint64_t{1} << (k - 1)) - 1);
}

}  // namespace parley::mls::tree_math
