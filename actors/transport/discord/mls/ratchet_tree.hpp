#pragma once
// The public ratchet tree (RFC 9420 §4, §7): an array of optional nodes,
// leaf nodes at even indices and parent nodes at odd ones, always a full
// tree of 2^d leaves. It knows the tree's public rules — resolution, the
// filtered direct path, tree and parent hashes, how proposals add, update
// and remove leaves, how an UpdatePath's public keys are merged — and how
// to check a tree received from others. Private keys live in treekem.hpp.
//
// Node and leaf indices are checked on every access: an index from the
// wire that points outside the tree throws mls::error instead of reading
// past the array.

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/leaf_node.hpp"

namespace parley::mls {

class ratchet_tree {
 public:
  ratchet_tree() = default;

  // From the ratchet_tree extension's node list (§12.4.3.3): an odd number
  // of nodes ending in a non-blank one, leaves at even and parents at odd
  // positions; padded on the right with blanks to a full tree.
  static ratchet_tree from_nodes(tree_nodes nodes);
  static ratchet_tree decode(const bytes& data);
  // The node list with trailing blanks removed, as the extension carries it.
  tree_nodes to_nodes() const;
  bytes encode() const;

  // Leaves (a power of two, or 0 for an empty tree) and nodes of the array.
  std::uint32_t leaf_count() const;
  std::uint32_t node_count() const { return static_cast<std::uint32_t>(nodes_.size()); }
  // Non-blank leaves.
  std::uint32_t member_count() const;

  const std::optional<node>& at(std::uint32_t node_index) const;
  bool blank(std::uint32_t node_index) const { return !at(node_index).has_value(); }
  // nullptr when the leaf is blank; throws when it is outside the tree.
  const leaf_node* leaf(std::uint32_t leaf_index) const;
  const parent_node* parent(std::uint32_t node_index) const;
  // The HPKE public key of a non-blank node; throws for a blank one.
  const bytes& encryption_key(std::uint32_t node_index) const;

  // §4.1.1: the non-blank nodes covering the subtree, in left-to-right
  // order, a parent followed by its unmerged leaves (as node indices).
  std::vector<std::uint32_t> resolution(std::uint32_t node_index) const;

  // §4.1.2: the direct path of a leaf without the nodes whose copath child
  // has an empty resolution, each with that copath child.
  struct path_step {
    std::uint32_t node;
    std::uint32_t copath_child;
  };
  std::vector<path_step> filtered_direct_path(std::uint32_t leaf_index) const;

  // §7.8: the tree hash of the root, of one node, and of every node.
  bytes tree_hash() const;
  bytes tree_hash(std::uint32_t node_index) const;
  std::vector<bytes> tree_hashes() const;

  // §7.9: the parent hash that a child of the non-blank parent node carries
  // when `copath_child` is that parent's other child. The sibling's tree
  // hash is its original one: the parent's unmerged leaves taken out.
  bytes parent_hash(std::uint32_t parent_index, std::uint32_t copath_child) const;
  // §7.9.2: every non-blank parent node is reached by exactly one parent
  // hash link from below, so each chains back to some leaf.
  bool verify_parent_hashes() const;

  // §7.7: into the leftmost blank leaf, doubling the tree when it is full;
  // the leaf becomes unmerged at every non-blank node above it. Returns the
  // leaf index.
  std::uint32_t add_leaf(leaf_node leaf);
  // §12.1.2: the leaf is replaced and its direct path blanked.
  void update_leaf(std::uint32_t leaf_index, leaf_node leaf);
  // §12.1.3: the leaf and its direct path are blanked, then the tree loses
  // right halves that hold no member.
  void remove_leaf(std::uint32_t leaf_index);
  void blank_direct_path(std::uint32_t leaf_index);
  void truncate();

  // §7.5: merges the public side of an UpdatePath from `leaf_index`: the
  // direct path is blanked, the filtered direct path nodes get the new keys
  // with no unmerged leaves and chained parent hashes. Returns the parent
  // hash the sender's new leaf must carry (empty with no path nodes). The
  // leaf itself is left for the caller to set (set_leaf) since the
  // committer signs over this hash first.
  bytes merge_path_keys(std::uint32_t leaf_index, const std::vector<bytes>& path_keys);
  // Replaces the leaf as it is, nothing else.
  void set_leaf(std::uint32_t leaf_index, leaf_node leaf);

  std::optional<std::uint32_t> find_leaf_by_signature_key(const bytes& key) const;
  std::optional<std::uint32_t> find_leaf_by_encryption_key(const bytes& key) const;
  // Any node, leaf or parent, with this HPKE public key.
  bool has_encryption_key(const bytes& key) const;

  // Checks for a tree received from others (§12.4.3.1), each throwing
  // mls::error with the reason: leaf signatures with the group's id and
  // each leaf's index; HPKE keys unique over all nodes and signature keys
  // over all leaves; unmerged leaves sorted, non-blank, below their parent
  // and listed at every non-blank node between; parent hashes. validate()
  // runs them all.
  void verify_leaf_signatures(const bytes& group_id) const;
  void check_unique_keys() const;
  void check_unmerged_leaves() const;
  void validate(const bytes& group_id) const;

 private:
  bytes subtree_hash(std::uint32_t node_index, const std::vector<std::uint32_t>& removed,
                     std::vector<bytes>* all) const;
  bool chained_from(std::uint32_t parent_index, std::uint32_t child,
                    std::uint32_t copath_child) const;
  std::optional<node>& slot(std::uint32_t node_index);
  void blank_if_present(std::uint32_t node_index);

  std::vector<std::optional<node>> nodes_;
};

}  // namespace parley::mls
