// Making a commit (RFC 9420 §12.4.1) and the Welcome for the members it
// adds (§12.4.3).
#include <utility>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/group_detail.hpp"
#include "actors/transport/discord/mls/message_protection.hpp"
#include "actors/transport/discord/mls/psk.hpp"

namespace parley::mls {

namespace {

const char* const welcome_label = "Welcome";

welcome make_welcome(const group::epoch_state& next, const bytes& confirmation_tag,
                     const group_detail::applied_proposals& applied,
                     const std::vector<psk_with_secret>& psks, bool has_path, bool inline_tree,
                     const bytes& signature_private_key) {
  group_info info;
  info.group_context = next.context;
  if (inline_tree) info.extensions.push_back({extension_type::ratchet_tree, next.tree.encode()});
  info.confirmation_tag = confirmation_tag;
  info.signer = next.own_leaf;
  info.sign(signature_private_key);

  const auto key = derive_welcome_key(next.secrets.welcome_secret);
  welcome out;
  out.cipher_suite = cipher_suite;
  out.encrypted_group_info = aead_seal(key.key, key.nonce, {}, encode(info));

  group_secrets secrets;
  secrets.joiner_secret = next.secrets.joiner_secret;
  for (const auto& psk : psks) secrets.psks.push_back(psk.id);
  for (std::size_t i = 0; i < applied.joiners.size(); ++i) {
    const auto& package = applied.joiner_packages[i];
    secrets.path_secret.reset();
    if (has_path) {
      const auto* path_secret = next.tree_keys.path_secret_for(applied.joiners[i]);
      if (path_secret == nullptr) throw error("commit: no path secret for a new member");
      secrets.path_secret = *path_secret;
    }
    out.secrets.push_back(
        {package.ref(), encrypt_with_label(package.init_key, welcome_label,
                                           out.encrypted_group_info, encode(secrets))});
  }
  return out;
}

}  // namespace

commit_output group::commit(const commit_options& options) {
  check_usable();
  const auto& st = epoch_;
  auto applied = group_detail::apply_proposals(st, proposals_, st.own_leaf);
  const auto psks = resolve_psks(applied.psks);

  mls::commit body;
  for (const auto& p : proposals_) body.proposals.push_back({p.ref});
  auto keys = st.tree_keys;
  auto commit_secret = zero_secret();
  const bool has_path = applied.path_required || options.force_path;
  if (has_path) {
    auto result =
        encap(applied.tree, st.own_leaf, *applied.tree.leaf(st.own_leaf), signature_private_key_,
              group_detail::provisional_context(st, applied.extensions), applied.joiners);
    body.path = std::move(result.path);
    keys = std::move(result.private_state);
    commit_secret = std::move(result.commit_secret);
  } else {
    keys.prune(applied.tree);
  }

  framed_content framed;
  framed.group_id = st.context.group_id;
  framed.epoch = st.context.epoch;
  framed.sender = {sender_type::member, st.own_leaf};
  framed.content = std::move(body);
  auto content = sign_framed_content(wire_format::public_message, std::move(framed),
                                     signature_private_key_, st.context);
  auto next =
      group_detail::advance(st, std::move(applied.tree), std::move(keys), applied.extensions,
                            content, commit_secret, derive_psk_secret(psks));
  content.auth.confirmation_tag = next.confirmation_tag;

  commit_output out{
      {protocol_version_mls10, protect_public(content, st.context, st.secrets.membership_key)},
      std::nullopt};
  if (!applied.joiners.empty()) {
    out.welcome = mls_message{protocol_version_mls10,
                              make_welcome(next.state, next.confirmation_tag, applied, psks,
                                           has_path, options.inline_tree, signature_private_key_)};
  }
  pending_ = pending_commit{encode(out.commit), std::move(next.state)};
  return out;
}

}  // namespace parley::mls
