// Checks on a ratchet tree received from others (RFC 9420 §12.4.3.1,
// §7.3, §7.9.2) before anything is derived from it.

#include <algorithm>
#include <set>
#include <string>

#include "actors/transport/discord/mls/ratchet_tree.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"

namespace parley::mls {

namespace tmath = tree_math;

void ratchet_tree::verify_leaf_signatures(const bytes& group_id) const {
  for (std::uint32_t i = 0; i < leaf_count(); ++i) {
    const auto* l = leaf(i);
    if (l != nullptr && !l->verify(group_id, i)) {
      throw error("ratchet tree: leaf " + std::to_string(i) + " has a bad signature");
    }
  }
}

void ratchet_tree::check_unique_keys() const {
  std::set<bytes> encryption_keys;
  std::set<bytes> signature_keys;
  for (std::uint32_t i = 0; i < node_count(); ++i) {
    if (!nodes_[i]) continue;
    if (!encryption_keys.insert(encryption_key(i)).second) {
      throw error("ratchet tree: node " + std::to_string(i) + " repeats an encryption key");
    }
    const auto* l = nodes_[i]->leaf();
    if (l != nullptr && !signature_keys.insert(l->signature_key).second) {
      throw error("ratchet tree: node " + std::to_string(i) + " repeats a signature key");
    }
  }
}

void ratchet_tree::check_unmerged_leaves() const {
  const auto n = leaf_count();
  // Every list in order first, so the lookups below can be binary searches.
  for (std::uint32_t p = 1; p < node_count(); p += 2) {
    const auto* parent_node = parent(p);
    if (parent_node == nullptr) continue;
    const auto& unmerged = parent_node->unmerged_leaves;
    for (std::size_t i = 1; i < unmerged.size(); ++i) {
      if (unmerged[i - 1] >= unmerged[i]) {
        throw error("ratchet tree: node " + std::to_string(p) + ": unmerged leaves not increasing");
      }
    }
  }
  for (std::uint32_t p = 1; p < node_count(); p += 2) {
    const auto* parent_node = parent(p);
    if (parent_node == nullptr) continue;
    const auto where = "ratchet tree: node " + std::to_string(p) + ": unmerged leaf ";
    for (const auto u : parent_node->unmerged_leaves) {
      if (u >= n) throw error(where + std::to_string(u) + " outside the tree");
      const auto x = tmath::leaf_to_node(u);
      if (!tmath::in_subtree(x, p)) throw error(where + std::to_string(u) + " not below it");
      if (blank(x)) throw error(where + std::to_string(u) + " is blank");
      // A leaf unmerged here was added after this node was set, so it is
      // unmerged at every non-blank node between as well.
      for (auto q : tmath::direct_path(x, n)) {
        if (q == p) break;
        const auto* between = parent(q);
        if (between == nullptr) continue;
        const auto& list = between->unmerged_leaves;
        if (!std::binary_search(list.begin(), list.end(), u)) {
          throw error(where + std::to_string(u) + " missing at node " + std::to_string(q));
        }
      }
    }
  }
}

void ratchet_tree::validate(const bytes& group_id) const {
  if (nodes_.empty()) throw error("ratchet tree: empty");
  check_unmerged_leaves();
  check_unique_keys();
  verify_leaf_signatures(group_id);
  if (!verify_parent_hashes()) throw error("ratchet tree: parent hashes do not verify");
}

}  // namespace parley::mls
