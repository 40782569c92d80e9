#pragma once
// TreeKEM (RFC 9420 §7.4–7.6, §12.4.2): one member's private keys in the
// ratchet tree, making an UpdatePath as a committer (encap) and taking one
// in as a receiver (decap).
//
// Path secrets run up the committer's filtered direct path:
//   path_secret[n+1] = DeriveSecret(path_secret[n], "path")
//   node key pair    = DeriveKeyPair(DeriveSecret(path_secret[n], "node"))
//   commit_secret    = DeriveSecret(last path_secret, "path")
// The committer's own new leaf key comes the same way from a fresh
// leaf_secret, whose "path" derivation is the first path secret.
//
// Both sides work on the provisional tree (the commit's proposals already
// applied), merge the path's public keys into it, and only then encrypt or
// decrypt under the provisional GroupContext carrying the merged tree's
// hash (§12.4.2). On failure they throw mls::error and may leave that tree
// half-merged: it is a working copy, dropped with the rejected commit.

#include <cstdint>
#include <map>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/commit.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/group_context.hpp"
#include "actors/transport/discord/mls/leaf_node.hpp"
#include "actors/transport/discord/mls/ratchet_tree.hpp"

namespace parley::mls {

// The private keys one member holds: its leaf's, and those of the parent
// nodes on its direct path whose path secrets it knows.
class treekem_private {
 public:
  treekem_private() = default;
  treekem_private(std::uint32_t leaf_index, const bytes& leaf_private_key);

  std::uint32_t leaf_index() const { return leaf_; }
  // A new leaf key (after this member's own Update proposal).
  void set_leaf_private_key(const bytes& private_key);
  // The key pair of one node from its path secret.
  void set_path_secret(std::uint32_t node_index, const bytes& path_secret);
  // A joiner's path secret (GroupSecrets.path_secret) belongs to
  // `start_node`, the common ancestor with the committer; it derives on up
  // the direct path, one step per non-blank node. Throws when a derived
  // key differs from the tree's.
  void implant(const ratchet_tree& tree, std::uint32_t start_node, const bytes& path_secret);

  // nullptr when this member holds nothing for the node.
  const bytes* private_key(std::uint32_t node_index) const;
  const bytes* public_key(std::uint32_t node_index) const;
  const bytes* path_secret(std::uint32_t node_index) const;
  // The path secret of the lowest node above both this member and `leaf`:
  // what a committer sends a new member at `leaf` in its Welcome.
  const bytes* path_secret_for(std::uint32_t leaf) const;

  // Every held key is the private half of the tree's key at its node.
  bool consistent(const ratchet_tree& tree) const;
  // Forgets keys of nodes that are now blank or outside the tree.
  void prune(const ratchet_tree& tree);

 private:
  struct node_keys {
    bytes path_secret;  // empty for a leaf key that was not derived
    bytes private_key;
    bytes public_key;
  };

  std::uint32_t leaf_ = 0;
  std::map<std::uint32_t, node_keys> nodes_;
};

struct encap_result {
  update_path path;
  bytes commit_secret;
  treekem_private private_state;
};

// The committer at `from` (§12.4.2): `leaf` is its leaf node to keep
// (signature key, credential, capabilities, extensions); it gets the new
// encryption key, source commit, the parent hash, and a signature with
// `signature_private_key` over `context.group_id` and `from`. The path is
// merged into `tree`; `context` is the provisional GroupContext whose
// tree_hash is set here from the merged tree. The leaves in `excluded`
// (those this commit adds) get no copy of the path secrets.
encap_result encap(ratchet_tree& tree, std::uint32_t from, leaf_node leaf,
                   const bytes& signature_private_key, group_context context,
                   const std::vector<std::uint32_t>& excluded, const bytes& leaf_secret);
encap_result encap(ratchet_tree& tree, std::uint32_t from, leaf_node leaf,
                   const bytes& signature_private_key, group_context context,
                   const std::vector<std::uint32_t>& excluded);

struct decap_result {
  bytes commit_secret;
  // The node whose path secret was decrypted (the common ancestor with
  // the sender) and that secret.
  std::uint32_t ancestor = 0;
  bytes path_secret;
};

// A receiver of the UpdatePath from `from`: merges it into `tree`
// (checking the new leaf's parent hash; the leaf node's own validity,
// signature included, is the caller's to check first), decrypts the path
// secret meant for it under `context` with the merged tree's hash, checks
// the derived public keys against the path's and moves `me` to the new
// keys. `excluded` are the leaves the commit adds, as for encap.
decap_result decap(ratchet_tree& tree, treekem_private& me, std::uint32_t from,
                   const update_path& path, group_context context,
                   const std::vector<std::uint32_t>& excluded);

}  // namespace parley::mls
