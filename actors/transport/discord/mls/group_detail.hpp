#pragma once
// Internals shared by the group_*.cpp files: the validity rules of RFC 9420
// §7.3, §10.1, §12.1 and §12.2, applying a commit's proposals (§12.3) and
// stepping the key schedule into the next epoch. Not for other callers.

#include <cstdint>
#include <vector>

#include "actors/transport/discord/mls/group.hpp"

namespace parley::mls::group_detail {

// A LeafNode on its own (§7.3): the expected source, the signature (bound
// to the group and leaf for the update and commit sources) and its own
// extensions listed in its capabilities.
void check_leaf_node(const leaf_node& leaf, leaf_node_source source, const bytes& group_id,
                     std::uint32_t leaf_index);
// A KeyPackage (§10.1): version, cipher suite, signature, its leaf, and an
// init key distinct from the leaf's encryption key.
void check_key_package(const key_package& package);
// Every member of `tree` supports the group's extensions (and its
// required_capabilities) and every credential type in use.
void check_members_compatible(const ratchet_tree& tree, const extension_list& extensions);

// A commit's proposals applied to the epoch in the order §12.3 sets:
// GroupContextExtensions, Update, Remove, Add, then PreSharedKey.
struct applied_proposals {
  ratchet_tree tree;
  extension_list extensions;
  std::vector<std::uint32_t> joiners;  // leaves the Adds filled, in order
  std::vector<key_package> joiner_packages;
  std::vector<std::uint32_t> removed;
  std::vector<psk_id> psks;
  bool path_required = false;
};

// Checks the list as a whole (§12.2) and each proposal in it, then applies
// it; throws mls::error naming the first rule broken.
applied_proposals apply_proposals(const group::epoch_state& epoch,
                                  const std::vector<group::cached_proposal>& proposals,
                                  std::uint32_t committer);

// One proposal as it arrives (§12.1): an Update comes from a member and
// carries a valid leaf for that member's slot, a Remove names a member,
// an Add carries a valid KeyPackage, and a sender outside the group may
// only send what §12.1.8 lets it.
void check_proposal(const group::epoch_state& epoch, const proposal& proposal, const sender& from);

// The next epoch from the committed tree, the commit's signed content (its
// confirmation tag not yet needed) and the secrets it brings (§8, §8.2).
// The confirmation tag of the result is returned in `confirmation_tag`.
struct next_epoch {
  group::epoch_state state;
  bytes confirmation_tag;
};
next_epoch advance(const group::epoch_state& epoch, ratchet_tree tree, treekem_private keys,
                   extension_list extensions, const authenticated_content& commit,
                   const bytes& commit_secret, const bytes& psk_secret);

// The provisional GroupContext an UpdatePath is encrypted under (§12.4.2):
// the next epoch and extensions, the old transcript; the tree hash is set
// by TreeKEM once the path is merged.
group_context provisional_context(const group::epoch_state& epoch,
                                  const extension_list& extensions);

}  // namespace parley::mls::group_detail
