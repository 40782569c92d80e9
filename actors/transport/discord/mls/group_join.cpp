// Joining a group from a Welcome (RFC 9420 §12.4.3.1).
#include <string>
#include <utility>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/group_detail.hpp"
#include "actors/transport/discord/mls/psk.hpp"
#include "actors/transport/discord/mls/transcript.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"

namespace parley::mls {

namespace {

const char* const welcome_label = "Welcome";

ratchet_tree tree_for(const group_info& info, const std::optional<tree_nodes>& given) {
  if (given) return ratchet_tree::from_nodes(*given);
  const auto* data = find_extension(info.extensions, extension_type::ratchet_tree);
  if (data == nullptr) throw error("welcome: no ratchet tree, in the GroupInfo or given");
  return ratchet_tree::decode(*data);
}

std::uint32_t find_own_leaf(const ratchet_tree& tree, const leaf_node& own) {
  const auto wanted = encode(own);
  for (std::uint32_t i = 0; i < tree.leaf_count(); ++i) {
    const auto* leaf = tree.leaf(i);
    if (leaf != nullptr && encode(*leaf) == wanted) return i;
  }
  throw error("welcome: our leaf is not in the tree");
}

}  // namespace

opened_welcome open_welcome(const welcome& message, const key_package& package,
                            const bytes& init_private_key, const external_psks& psks) {
  if (message.cipher_suite != cipher_suite || package.cipher_suite != cipher_suite) {
    throw error("welcome: another cipher suite");
  }
  const auto* entry = message.find(package.ref());
  if (entry == nullptr) throw error("welcome: has nothing for our key package");
  const auto& ct = entry->encrypted_group_secrets;
  opened_welcome out;
  out.secrets = decode<group_secrets>(decrypt_with_label(
      init_private_key, welcome_label, message.encrypted_group_info, ct.kem_output, ct.ciphertext));

  std::vector<psk_with_secret> with_secrets;
  for (const auto& id : out.secrets.psks) {
    if (id.psktype != psk_type::external) {
      throw error("welcome: resumption PSKs of earlier groups are not supported");
    }
    const auto it = psks.find(id.psk_id);
    if (it == psks.end()) throw error("welcome: names an external PSK we do not have");
    with_secrets.push_back({id, it->second});
  }
  out.psk_secret = derive_psk_secret(with_secrets);

  // The welcome secret does not depend on the GroupContext, which is
  // still inside the GroupInfo it decrypts.
  const auto key = derive_welcome_key(
      epoch_secrets::from_joiner(out.secrets.joiner_secret, out.psk_secret, {}).welcome_secret);
  out.info = decode<group_info>(aead_open(key.key, key.nonce, {}, message.encrypted_group_info));
  return out;
}

group group::join(const welcome& message, const member_key_package& self,
                  const std::optional<tree_nodes>& tree, external_psks psks) {
  const auto opened = open_welcome(message, self.package, self.secrets.init_private_key, psks);
  const auto& secrets = opened.secrets;
  const auto& info = opened.info;
  const auto& context = info.group_context;
  if (context.version != protocol_version_mls10 || context.cipher_suite != cipher_suite) {
    throw error("welcome: the group uses another version or cipher suite");
  }

  group g;
  g.external_psks_ = std::move(psks);
  g.signature_private_key_ = self.secrets.signature_private_key;
  auto& st = g.epoch_;
  st.tree = tree_for(info, tree);
  if (st.tree.tree_hash() != context.tree_hash) {
    throw error("welcome: the tree does not match the GroupInfo's tree hash");
  }
  st.tree.validate(context.group_id);
  group_detail::check_members_compatible(st.tree, context.extensions);
  if (info.signer >= st.tree.leaf_count() || st.tree.leaf(info.signer) == nullptr) {
    throw error("welcome: the GroupInfo signer is not a member");
  }
  if (!info.verify(st.tree.leaf(info.signer)->signature_key)) {
    throw error("welcome: bad GroupInfo signature");
  }

  st.own_leaf = find_own_leaf(st.tree, self.package.leaf_node);
  st.tree_keys = treekem_private(st.own_leaf, self.secrets.encryption_private_key);
  if (!st.tree_keys.consistent(st.tree)) {
    throw error("welcome: our leaf's private key does not match the tree");
  }
  if (secrets.path_secret) {
    st.tree_keys.implant(st.tree,
                         tree_math::common_ancestor(tree_math::leaf_to_node(st.own_leaf),
                                                    tree_math::leaf_to_node(info.signer)),
                         *secrets.path_secret);
  }

  st.context = context;
  st.secrets =
      epoch_secrets::from_joiner(secrets.joiner_secret, opened.psk_secret, encode(context));
  if (!verify_confirmation_tag(st.secrets.confirmation_key, context.confirmed_transcript_hash,
                               info.confirmation_tag)) {
    throw error("welcome: confirmation tag does not verify");
  }
  st.interim_transcript_hash =
      next_interim_transcript_hash(context.confirmed_transcript_hash, info.confirmation_tag);
  return g;
}

}  // namespace parley::mls
