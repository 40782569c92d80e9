// Validity of leaves, key packages and single proposals (RFC 9420 §7.3,
// §10.1, §12.1). Leaf lifetimes are not checked: DAVE's key packages
// carry the widest one and its members do not validate it.
#include <algorithm>
#include <set>
#include <string>

#include "actors/transport/discord/mls/group_detail.hpp"

namespace parley::mls::group_detail {

namespace {

// The extension types RFC 9420 defines: members support them without
// listing them (§7.2).
bool default_extension(std::uint16_t type) {
  return type >= extension_type::application_id && type <= extension_type::external_senders;
}

bool default_proposal(std::uint16_t type) {
  return type >= proposal_type::add && type <= proposal_type::group_context_extensions;
}

bool contains(const std::vector<std::uint16_t>& list, std::uint16_t value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool supports_extension(const capabilities& caps, std::uint16_t type) {
  return default_extension(type) || contains(caps.extensions, type);
}

std::string leaf_name(std::uint32_t leaf_index) {
  return "leaf " + std::to_string(leaf_index);
}

void check_supports(const leaf_node& leaf, std::uint32_t leaf_index,
                    const extension_list& extensions) {
  const auto& caps = leaf.capabilities;
  for (const auto& ext : extensions) {
    if (!supports_extension(caps, ext.type)) {
      throw error(leaf_name(leaf_index) + " does not support group extension " +
                  std::to_string(ext.type));
    }
  }
  const auto* required = find_extension(extensions, extension_type::required_capabilities);
  if (required == nullptr) return;
  const auto needs = decode_all<required_capabilities>(
      *required, [](tls_reader& r) { return required_capabilities::decode(r); });
  for (auto type : needs.extension_types) {
    if (!supports_extension(caps, type)) {
      throw error(leaf_name(leaf_index) + " lacks required extension " + std::to_string(type));
    }
  }
  for (auto type : needs.proposal_types) {
    if (!default_proposal(type) && !contains(caps.proposals, type)) {
      throw error(leaf_name(leaf_index) + " lacks required proposal " + std::to_string(type));
    }
  }
  for (auto type : needs.credential_types) {
    if (!contains(caps.credentials, type)) {
      throw error(leaf_name(leaf_index) + " lacks required credential " + std::to_string(type));
    }
  }
}

}  // namespace

void check_leaf_node(const leaf_node& leaf, leaf_node_source source, const bytes& group_id,
                     std::uint32_t leaf_index) {
  if (leaf.source != source) throw error("leaf node: unexpected source");
  if (!leaf.verify(group_id, leaf_index)) throw error("leaf node: bad signature");
  for (const auto& ext : leaf.extensions) {
    if (!supports_extension(leaf.capabilities, ext.type)) {
      throw error("leaf node: carries extension " + std::to_string(ext.type) +
                  " it does not list as supported");
    }
  }
}

void check_key_package(const key_package& package) {
  if (package.version != protocol_version_mls10) throw error("key package: unknown version");
  if (package.cipher_suite != cipher_suite) throw error("key package: another cipher suite");
  if (!package.verify()) throw error("key package: bad signature");
  check_leaf_node(package.leaf_node, leaf_node_source::key_package, {}, 0);
  if (package.init_key == package.leaf_node.encryption_key) {
    throw error("key package: init key equals the leaf's encryption key");
  }
}

void check_members_compatible(const ratchet_tree& tree, const extension_list& extensions) {
  std::set<std::uint16_t> in_use;
  for (std::uint32_t i = 0; i < tree.leaf_count(); ++i) {
    if (const auto* leaf = tree.leaf(i)) in_use.insert(leaf->credential.type);
  }
  for (std::uint32_t i = 0; i < tree.leaf_count(); ++i) {
    const auto* leaf = tree.leaf(i);
    if (leaf == nullptr) continue;
    check_supports(*leaf, i, extensions);
    for (auto type : in_use) {
      if (!contains(leaf->capabilities.credentials, type)) {
        throw error(leaf_name(i) + " does not support credential type " + std::to_string(type) +
                    " in use in the group");
      }
    }
  }
}

void check_proposal(const group::epoch_state& epoch, const proposal& proposal, const sender& from) {
  const auto type = proposal.type();
  switch (from.type) {
    case sender_type::member:
      if (type == proposal_type::external_init) {
        throw error("proposal: ExternalInit only comes in an external commit");
      }
      break;
    case sender_type::external:
      // §12.1.8: an external sender cannot speak for a member's leaf.
      if (type == proposal_type::update || type == proposal_type::external_init) {
        throw error("proposal: type " + std::to_string(type) + " from an external sender");
      }
      break;
    case sender_type::new_member_proposal:
      if (type != proposal_type::add) throw error("proposal: a new member may only propose Add");
      break;
    default:
      throw error("proposal: from a new member's commit");
  }

  const auto& tree = epoch.tree;
  if (const auto* add = std::get_if<mls::add>(&proposal.value)) {
    check_key_package(add->key_package);
  } else if (const auto* update = std::get_if<mls::update>(&proposal.value)) {
    if (tree.leaf(from.index) == nullptr) throw error("update: from a blank leaf");
    check_leaf_node(update->leaf_node, leaf_node_source::update, epoch.context.group_id,
                    from.index);
  } else if (const auto* remove = std::get_if<mls::remove>(&proposal.value)) {
    if (remove->removed >= tree.leaf_count() || tree.leaf(remove->removed) == nullptr) {
      throw error("remove: leaf " + std::to_string(remove->removed) + " is not a member");
    }
  } else if (const auto* psk = std::get_if<pre_shared_key>(&proposal.value)) {
    if (psk->psk.psk_nonce.size() != hash_size) throw error("psk: nonce of the wrong size");
    if (psk->psk.psktype == psk_type::resumption &&
        psk->psk.usage != resumption_psk_usage::application) {
      throw error("psk: resumption PSK for reinit or branch in a normal commit");
    }
  } else if (std::holds_alternative<mls::reinit>(proposal.value)) {
    throw error("proposal: ReInit is not supported");
  }
}

}  // namespace parley::mls::group_detail
