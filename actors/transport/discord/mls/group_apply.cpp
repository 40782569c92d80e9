// A commit's proposal list: its rules as a whole (RFC 9420 §12.2), its
// effect on the tree and extensions (§12.3), and the step into the next
// epoch's transcript and key schedule (§8, §8.2).
#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "actors/transport/discord/mls/group_detail.hpp"
#include "actors/transport/discord/mls/transcript.hpp"

namespace parley::mls::group_detail {

namespace {

// The leaf an Update or Remove is about, or nullopt for other types.
std::optional<std::uint32_t> target_leaf(const group::cached_proposal& p) {
  if (std::holds_alternative<mls::update>(p.proposal.value)) return p.sender.index;
  if (const auto* r = std::get_if<mls::remove>(&p.proposal.value)) return r->removed;
  return std::nullopt;
}

void check_list(const std::vector<group::cached_proposal>& proposals, std::uint32_t committer) {
  std::set<std::uint32_t> targets;
  std::set<bytes> psk_ids;
  int extension_changes = 0;
  for (const auto& p : proposals) {
    const auto type = p.proposal.type();
    if (const auto leaf = target_leaf(p)) {
      if (*leaf == committer) {
        throw error(type == proposal_type::update ? "commit: includes the committer's own Update"
                                                  : "commit: removes the committer");
      }
      if (!targets.insert(*leaf).second) {
        throw error("commit: two Updates or Removes for leaf " + std::to_string(*leaf));
      }
    }
    if (const auto* psk = std::get_if<pre_shared_key>(&p.proposal.value)) {
      if (!psk_ids.insert(encode(psk->psk)).second) throw error("commit: the same PSK twice");
    }
    if (type == proposal_type::group_context_extensions && ++extension_changes > 1) {
      throw error("commit: more than one GroupContextExtensions");
    }
    if (type == proposal_type::external_init) throw error("commit: ExternalInit in a commit");
  }
}

template <class T, class F>
void for_each_of(const std::vector<group::cached_proposal>& proposals, F&& apply) {
  for (const auto& p : proposals) {
    if (const auto* body = std::get_if<T>(&p.proposal.value)) apply(*body, p);
  }
}

bool needs_path(const std::vector<group::cached_proposal>& proposals) {
  if (proposals.empty()) return true;
  return std::any_of(proposals.begin(), proposals.end(), [](const auto& p) {
    const auto type = p.proposal.type();
    return type == proposal_type::update || type == proposal_type::remove ||
           type == proposal_type::external_init || type == proposal_type::group_context_extensions;
  });
}

}  // namespace

applied_proposals apply_proposals(const group::epoch_state& epoch,
                                  const std::vector<group::cached_proposal>& proposals,
                                  std::uint32_t committer) {
  check_list(proposals, committer);
  for (const auto& p : proposals) check_proposal(epoch, p.proposal, p.sender);

  applied_proposals out{epoch.tree, epoch.context.extensions, {}, {}, {}, {}, false};
  for_each_of<group_context_extensions>(
      proposals, [&](const auto& gce, const auto&) { out.extensions = gce.extensions; });
  for_each_of<mls::update>(proposals, [&](const auto& update, const auto& p) {
    out.tree.update_leaf(p.sender.index, update.leaf_node);
  });
  for_each_of<mls::remove>(proposals, [&](const auto& remove, const auto&) {
    out.tree.remove_leaf(remove.removed);
    out.removed.push_back(remove.removed);
  });
  for_each_of<mls::add>(proposals, [&](const auto& add, const auto&) {
    out.joiners.push_back(out.tree.add_leaf(add.key_package.leaf_node));
    out.joiner_packages.push_back(add.key_package);
  });
  for_each_of<pre_shared_key>(proposals,
                              [&](const auto& psk, const auto&) { out.psks.push_back(psk.psk); });
  out.path_required = needs_path(proposals);
  check_members_compatible(out.tree, out.extensions);
  return out;
}

group_context provisional_context(const group::epoch_state& epoch,
                                  const extension_list& extensions) {
  auto context = epoch.context;
  context.epoch += 1;
  context.extensions = extensions;
  return context;
}

next_epoch advance(const group::epoch_state& epoch, ratchet_tree tree, treekem_private keys,
                   extension_list extensions, const authenticated_content& commit,
                   const bytes& commit_secret, const bytes& psk_secret) {
  next_epoch out;
  auto& next = out.state;
  next.context = provisional_context(epoch, extensions);
  next.context.tree_hash = tree.tree_hash();
  next.context.confirmed_transcript_hash =
      next_confirmed_transcript_hash(epoch.interim_transcript_hash, commit);
  next.secrets = epoch_secrets::derive(epoch.secrets.init_secret, commit_secret, psk_secret,
                                       encode(next.context));
  out.confirmation_tag =
      make_confirmation_tag(next.secrets.confirmation_key, next.context.confirmed_transcript_hash);
  next.interim_transcript_hash =
      next_interim_transcript_hash(next.context.confirmed_transcript_hash, out.confirmation_tag);
  next.tree = std::move(tree);
  next.tree_keys = std::move(keys);
  next.own_leaf = epoch.own_leaf;
  return out;
}

}  // namespace parley::mls::group_detail
