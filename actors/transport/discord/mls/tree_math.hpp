#pragma once
// The array representation of a ratchet tree (RFC 9420 §4.2, Appendix C):
// leaves sit at even node indices, parents at odd ones, a node's level is
// its number of trailing one bits. MLS trees are always full (a power of
// two leaves), but the functions take any leaf count as the RFC's do.
// Asking for the child of a leaf or the parent of the root is a logic
// error in the caller and throws mls::error rather than wrapping around.

#include <cstdint>
#include <vector>

namespace parley::mls::tree_math {

std::uint32_t level(std::uint32_t x);
bool is_leaf(std::uint32_t x);
std::uint32_t leaf_to_node(std::uint32_t leaf);
// Throws for a parent index.
std::uint32_t node_to_leaf(std::uint32_t x);

// Nodes in a tree of n_leaves leaves (0 for an empty tree).
std::uint32_t node_width(std::uint32_t n_leaves);
// Leaves in a tree of `width` nodes; throws when width is even.
std::uint32_t leaf_width(std::uint32_t width);
std::uint32_t root(std::uint32_t n_leaves);

std::uint32_t left(std::uint32_t x);
std::uint32_t right(std::uint32_t x);
std::uint32_t parent(std::uint32_t x, std::uint32_t n_leaves);
std::uint32_t sibling(std::uint32_t x, std::uint32_t n_leaves);

// From x's parent up to the root (empty for the root).
std::vector<std::uint32_t> direct_path(std::uint32_t x, std::uint32_t n_leaves);
// The siblings of x and of each node of its direct path below the root.
std::vector<std::uint32_t> copath(std::uint32_t x, std::uint32_t n_leaves);

// True when x is `ancestor` or lies in its subtree.
bool in_subtree(std::uint32_t x, std::uint32_t ancestor);
// The lowest node whose subtree holds both x and y.
std::uint32_t common_ancestor(std::uint32_t x, std::uint32_t y);

}  // namespace parley::mls::tree_math
