// The group's own state: creating it (RFC 9420 §11), opening the messages
// sent to it (§6), the proposal cache (§12.1) and what it tells about
// itself.
#include "actors/transport/discord/mls/group.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "actors/transport/discord/mls/group_detail.hpp"
#include "actors/transport/discord/mls/message_protection.hpp"
#include "actors/transport/discord/mls/transcript.hpp"

namespace parley::mls {

namespace {

// Resumption PSKs of this many past epochs stay usable; DAVE uses none.
constexpr std::size_t kept_resumption_psks = 16;

}  // namespace

group group::create(bytes group_id, const member_key_package& self, extension_list extensions) {
  group g;
  g.signature_private_key_ = self.secrets.signature_private_key;
  auto& st = g.epoch_;
  st.own_leaf = st.tree.add_leaf(self.package.leaf_node);
  st.tree_keys = treekem_private(st.own_leaf, self.secrets.encryption_private_key);
  if (!st.tree_keys.consistent(st.tree)) {
    throw error("group: the leaf's private key does not match its encryption key");
  }
  if (signature_public_key(g.signature_private_key_) != self.package.leaf_node.signature_key) {
    throw error("group: the signature key does not match the leaf");
  }
  group_detail::check_members_compatible(st.tree, extensions);

  st.context.group_id = std::move(group_id);
  st.context.epoch = 0;
  st.context.tree_hash = st.tree.tree_hash();
  st.context.extensions = std::move(extensions);
  // §11 starts from a fresh random epoch_secret; a random init_secret run
  // through the schedule is as random and keeps one way of deriving.
  st.secrets = epoch_secrets::derive(random_bytes(hash_size), zero_secret(), zero_secret(),
                                     encode(st.context));
  const auto tag = make_confirmation_tag(st.secrets.confirmation_key, {});
  st.interim_transcript_hash = next_interim_transcript_hash({}, tag);
  return g;
}

void group::check_usable() const {
  if (removed_) throw error("group: this member was removed from it");
}

bytes group::signature_key_of(const sender& from, const mls::proposal* proposal) const {
  switch (from.type) {
    case sender_type::member: {
      if (from.index >= epoch_.tree.leaf_count()) throw error("message: sender outside the tree");
      const auto* leaf = epoch_.tree.leaf(from.index);
      if (leaf == nullptr) throw error("message: sender leaf is blank");
      return leaf->signature_key;
    }
    case sender_type::external: {
      const auto senders = external_senders_of(epoch_.context.extensions);
      if (from.index >= senders.size()) throw error("message: unknown external sender");
      return senders[from.index].signature_key;
    }
    case sender_type::new_member_proposal: {
      const auto* add = proposal ? std::get_if<mls::add>(&proposal->value) : nullptr;
      if (add == nullptr) throw error("message: a new member may only propose to be added");
      return add->key_package.leaf_node.signature_key;
    }
    default:
      throw error("message: external commits are not supported");
  }
}

authenticated_content group::open(const mls_message& message) const {
  const auto* pm = message.get<public_message>();
  if (pm == nullptr) {
    throw error(message.format() == wire_format::private_message
                    ? "message: encrypted handshake messages are not supported"
                    : "message: not a PublicMessage");
  }
  if (pm->content.group_id != epoch_.context.group_id) throw error("message: for another group");
  if (pm->content.epoch != epoch_.context.epoch) {
    throw error("message: for epoch " + std::to_string(pm->content.epoch) + ", the group is at " +
                std::to_string(epoch_.context.epoch));
  }
  const auto* proposal = std::get_if<mls::proposal>(&pm->content.content);
  return open_public(*pm, epoch_.context, epoch_.secrets.membership_key,
                     signature_key_of(pm->content.sender, proposal));
}

bytes group::handle_proposal(const mls_message& message) {
  check_usable();
  const auto content = open(message);
  const auto* proposal = std::get_if<mls::proposal>(&content.content.content);
  if (proposal == nullptr) throw error("message: not a proposal");
  group_detail::check_proposal(epoch_, *proposal, content.content.sender);
  // §12.1.4: a PSK nobody here has would make every commit of it fail.
  if (const auto* psk = std::get_if<pre_shared_key>(&proposal->value)) resolve_psk(psk->psk);
  auto ref = proposal_ref(content);
  const auto known = std::any_of(proposals_.begin(), proposals_.end(),
                                 [&](const auto& p) { return p.ref == ref; });
  if (!known) proposals_.push_back({ref, *proposal, content.content.sender});
  return ref;
}

bool group::revoke_proposal(const bytes& ref) {
  const auto it = std::find_if(proposals_.begin(), proposals_.end(),
                               [&](const auto& p) { return p.ref == ref; });
  if (it == proposals_.end()) return false;
  proposals_.erase(it);
  return true;
}

std::vector<bytes> group::proposal_refs() const {
  std::vector<bytes> refs;
  refs.reserve(proposals_.size());
  for (const auto& p : proposals_) refs.push_back(p.ref);
  return refs;
}

void group::add_external_psk(const bytes& id, const bytes& secret) {
  external_psks_[id] = secret;
}

bytes group::resolve_psk(const psk_id& id) const {
  if (id.psktype == psk_type::external) {
    const auto it = external_psks_.find(id.psk_id);
    if (it == external_psks_.end()) throw error("psk: unknown external PSK");
    return it->second;
  }
  if (id.psktype != psk_type::resumption || id.psk_group_id != epoch_.context.group_id) {
    throw error("psk: resumption PSK of another group");
  }
  if (id.psk_epoch == epoch_.context.epoch) return epoch_.secrets.resumption_psk;
  const auto it = resumption_psks_.find(id.psk_epoch);
  if (it == resumption_psks_.end()) {
    throw error("psk: no resumption PSK for epoch " + std::to_string(id.psk_epoch));
  }
  return it->second;
}

std::vector<psk_with_secret> group::resolve_psks(const std::vector<psk_id>& ids) const {
  std::vector<psk_with_secret> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back({id, resolve_psk(id)});
  return out;
}

void group::enter(epoch_state next) {
  resumption_psks_[epoch_.context.epoch] = epoch_.secrets.resumption_psk;
  while (resumption_psks_.size() > kept_resumption_psks) {
    resumption_psks_.erase(resumption_psks_.begin());
  }
  epoch_ = std::move(next);
  proposals_.clear();
  pending_.reset();
}

void group::apply_pending_commit() {
  check_usable();
  if (!pending_) throw error("group: no pending commit");
  auto next = std::move(pending_->next);
  enter(std::move(next));
}

bytes group::export_secret(const std::string& label, const bytes& context, std::size_t size) const {
  return epoch_.secrets.exporter(label, context, size);
}

std::vector<group_member> group::members() const {
  std::vector<group_member> out;
  for (std::uint32_t i = 0; i < epoch_.tree.leaf_count(); ++i) {
    if (const auto* leaf = epoch_.tree.leaf(i)) {
      out.push_back({i, leaf->credential, leaf->signature_key});
    }
  }
  return out;
}

}  // namespace parley::mls
