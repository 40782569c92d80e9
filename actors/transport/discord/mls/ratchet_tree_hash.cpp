// Tree hashes (RFC 9420 §7.8) and parent hashes (§7.9) of the ratchet tree.

#include <algorithm>
#include <iterator>
#include <utility>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/ratchet_tree.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"

namespace parley::mls {

namespace tmath = tree_math;

namespace {

// TreeHashInput's node_type.
constexpr std::uint8_t hash_input_leaf = 1;
constexpr std::uint8_t hash_input_parent = 2;

// `sorted` is in increasing order.
bool contains(const std::vector<std::uint32_t>& sorted, std::uint32_t value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

}  // namespace

// `removed` lists leaves, in increasing order, to treat as absent — blank,
// and gone from every unmerged_leaves — which is how §7.9 defines an
// original sibling hash.
bytes ratchet_tree::subtree_hash(std::uint32_t node_index,
                                 const std::vector<std::uint32_t>& removed,
                                 std::vector<bytes>* all) const {
  const auto& n = at(node_index);
  tls_writer w;
  if (tmath::is_leaf(node_index)) {
    const auto leaf_index = tmath::node_to_leaf(node_index);
    const bool present = n && !contains(removed, leaf_index);
    w.u8(hash_input_leaf);
    w.u32(leaf_index);
    w.u8(present ? 1 : 0);
    if (present) n->leaf()->encode(w);
  } else {
    const auto left_hash = subtree_hash(tmath::left(node_index), removed, all);
    const auto right_hash = subtree_hash(tmath::right(node_index), removed, all);
    w.u8(hash_input_parent);
    w.u8(n ? 1 : 0);
    if (n) {
      auto parent = *n->parent();
      auto& unmerged = parent.unmerged_leaves;
      unmerged.erase(std::remove_if(unmerged.begin(), unmerged.end(),
                                    [&](std::uint32_t u) { return contains(removed, u); }),
                     unmerged.end());
      parent.encode(w);
    }
    w.opaque(left_hash);
    w.opaque(right_hash);
  }
  auto digest = hash(w.data());
  if (all != nullptr) (*all)[node_index] = digest;
  return digest;
}

bytes ratchet_tree::tree_hash() const {
  if (nodes_.empty()) throw error("tree hash of an empty tree");
  return tree_hash(tmath::root(leaf_count()));
}

bytes ratchet_tree::tree_hash(std::uint32_t node_index) const {
  return subtree_hash(node_index, {}, nullptr);
}

std::vector<bytes> ratchet_tree::tree_hashes() const {
  std::vector<bytes> all(nodes_.size());
  if (!nodes_.empty()) subtree_hash(tmath::root(leaf_count()), {}, &all);
  return all;
}

bytes ratchet_tree::parent_hash(std::uint32_t parent_index, std::uint32_t copath_child) const {
  const auto* p = parent(parent_index);
  if (p == nullptr) throw error("parent hash of a blank node");
  if (tmath::is_leaf(parent_index) ||
      (copath_child != tmath::left(parent_index) && copath_child != tmath::right(parent_index))) {
    throw error("parent hash: not a child of the parent");
  }
  // Sorted already in a valid tree; sorting a copy keeps an unchecked one
  // from costing a linear search per leaf.
  auto removed = p->unmerged_leaves;
  std::sort(removed.begin(), removed.end());
  const auto sibling_hash = subtree_hash(copath_child, removed, nullptr);
  // ParentHashInput.
  tls_writer w;
  w.opaque(p->encryption_key);
  w.opaque(p->parent_hash);
  w.opaque(sibling_hash);
  return hash(w.data());
}

// §7.9.2: P is chained from a node D under child C when D is the one node
// of C's resolution that is not one of P's unmerged leaves (all of which
// under C must be in that resolution) and D carries P's parent hash.
bool ratchet_tree::chained_from(std::uint32_t parent_index, std::uint32_t child,
                                std::uint32_t copath_child) const {
  auto res = resolution(child);
  std::vector<std::uint32_t> unmerged;
  for (auto u : parent(parent_index)->unmerged_leaves) {
    const auto x = tmath::leaf_to_node(u);
    if (tmath::in_subtree(x, child)) unmerged.push_back(x);
  }
  std::sort(res.begin(), res.end());
  std::sort(unmerged.begin(), unmerged.end());
  if (!std::includes(res.begin(), res.end(), unmerged.begin(), unmerged.end())) return false;
  std::vector<std::uint32_t> remaining;
  std::set_difference(res.begin(), res.end(), unmerged.begin(), unmerged.end(),
                      std::back_inserter(remaining));
  if (remaining.size() != 1) return false;
  const auto& d = at(remaining.front());
  // An unmerged leaf listed at a lower node may be blank in a bad tree.
  if (!d) return false;
  const bytes* carried = nullptr;
  if (const auto* l = d->leaf()) {
    if (l->source != leaf_node_source::commit) return false;
    carried = &l->parent_hash;
  } else {
    carried = &d->parent()->parent_hash;
  }
  return *carried == parent_hash(parent_index, copath_child);
}

bool ratchet_tree::verify_parent_hashes() const {
  for (std::uint32_t p = 1; p < node_count(); p += 2) {
    if (!nodes_[p]) continue;
    const auto l = tmath::left(p);
    const auto r = tmath::right(p);
    const int links = (chained_from(p, l, r) ? 1 : 0) + (chained_from(p, r, l) ? 1 : 0);
    if (links != 1) return false;
  }
  return true;
}

}  // namespace parley::mls
