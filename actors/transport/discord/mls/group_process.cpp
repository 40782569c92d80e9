// Taking in a commit from another member (RFC 9420 §12.4.2).
#include <algorithm>
#include <utility>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/group_detail.hpp"
#include "actors/transport/discord/mls/psk.hpp"

namespace parley::mls {

std::vector<group::cached_proposal> group::resolve_commit_proposals(const mls::commit& body,
                                                                    const sender& from) const {
  std::vector<cached_proposal> out;
  for (const auto& item : body.proposals) {
    if (const auto* inline_proposal = item.inline_proposal()) {
      out.push_back({{}, *inline_proposal, from});
      continue;
    }
    const auto* ref = item.ref();
    const auto it = std::find_if(proposals_.begin(), proposals_.end(),
                                 [&](const auto& p) { return p.ref == *ref; });
    if (it == proposals_.end()) throw error("commit: refers to a proposal we do not have");
    out.push_back(*it);
  }
  return out;
}

commit_effect group::handle_commit(const mls_message& message) {
  check_usable();
  if (pending_ && encode(message) == pending_->message) {
    apply_pending_commit();
    return commit_effect::applied;
  }
  const auto content = open(message);
  const auto* body = std::get_if<mls::commit>(&content.content.content);
  if (body == nullptr) throw error("message: not a commit");
  const auto& from = content.content.sender;
  if (from.type != sender_type::member) throw error("commit: not from a member");
  if (from.index == epoch_.own_leaf) {
    throw error("commit: from our own leaf but not the commit we made");
  }

  auto applied =
      group_detail::apply_proposals(epoch_, resolve_commit_proposals(*body, from), from.index);
  if (std::find(applied.removed.begin(), applied.removed.end(), epoch_.own_leaf) !=
      applied.removed.end()) {
    // Without a path secret for us there is no next epoch to verify.
    removed_ = true;
    proposals_.clear();
    pending_.reset();
    return commit_effect::removed;
  }
  if (applied.path_required && !body->path) throw error("commit: an UpdatePath is required");

  auto keys = epoch_.tree_keys;
  auto commit_secret = zero_secret();
  if (body->path) {
    group_detail::check_leaf_node(body->path->leaf_node, leaf_node_source::commit,
                                  epoch_.context.group_id, from.index);
    commit_secret =
        decap(applied.tree, keys, from.index, *body->path,
              group_detail::provisional_context(epoch_, applied.extensions), applied.joiners)
            .commit_secret;
    applied.tree.check_unique_keys();
    group_detail::check_members_compatible(applied.tree, applied.extensions);
  } else {
    keys.prune(applied.tree);
  }
  if (!keys.consistent(applied.tree)) {
    throw error("commit: leaves this member's keys out of step with the tree");
  }

  auto next =
      group_detail::advance(epoch_, std::move(applied.tree), std::move(keys), applied.extensions,
                            content, commit_secret, derive_psk_secret(resolve_psks(applied.psks)));
  if (!equal_ct(next.confirmation_tag, *content.auth.confirmation_tag)) {
    throw error("commit: confirmation tag does not verify");
  }
  enter(std::move(next.state));
  return commit_effect::applied;
}

}  // namespace parley::mls
