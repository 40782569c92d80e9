#include "actors/transport/discord/mls/treekem.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "actors/transport/discord/mls/tree_math.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

namespace tmath = tree_math;

namespace {

const char* const update_path_label = "UpdatePathNode";

hpke_key_pair node_key_pair(const bytes& path_secret) {
  return derive_hpke_key(derive_secret(path_secret, "node"));
}

// The copath child's resolution without the leaves this commit adds: they
// get the path secret through the Welcome instead.
std::vector<std::uint32_t> recipients(const ratchet_tree& tree, std::uint32_t copath_child,
                                      const std::vector<std::uint32_t>& excluded) {
  auto res = tree.resolution(copath_child);
  res.erase(std::remove_if(res.begin(), res.end(),
                           [&](std::uint32_t x) {
                             return tmath::is_leaf(x) &&
                                    std::find(excluded.begin(), excluded.end(),
                                              tmath::node_to_leaf(x)) != excluded.end();
                           }),
            res.end());
  return res;
}

bytes context_after_merge(const ratchet_tree& tree, group_context context) {
  context.tree_hash = tree.tree_hash();
  return encode(context);
}

}  // namespace

treekem_private::treekem_private(std::uint32_t leaf_index, const bytes& leaf_private_key)
    : leaf_(leaf_index) {
  set_leaf_private_key(leaf_private_key);
}

void treekem_private::set_leaf_private_key(const bytes& private_key) {
  nodes_[tmath::leaf_to_node(leaf_)] = {{}, private_key, hpke_public_key(private_key)};
}

void treekem_private::set_path_secret(std::uint32_t node_index, const bytes& path_secret) {
  auto pair = node_key_pair(path_secret);
  nodes_[node_index] = {path_secret, std::move(pair.private_key), std::move(pair.public_key)};
}

void treekem_private::implant(const ratchet_tree& tree, std::uint32_t start_node,
                              const bytes& path_secret) {
  const auto me = tmath::leaf_to_node(leaf_);
  if (start_node == me || !tmath::in_subtree(me, start_node)) {
    throw error("path secret for node " + std::to_string(start_node) + " not above leaf " +
                std::to_string(leaf_));
  }
  auto updated = *this;
  auto secret = path_secret;
  auto x = start_node;
  const auto r = tmath::root(tree.leaf_count());
  while (true) {
    if (!tree.blank(x)) {
      updated.set_path_secret(x, secret);
      if (updated.nodes_[x].public_key != tree.encryption_key(x)) {
        throw error("path secret does not match the key of node " + std::to_string(x));
      }
      secret = derive_secret(secret, "path");
    }
    if (x == r) break;
    x = tmath::parent(x, tree.leaf_count());
  }
  *this = std::move(updated);
}

const bytes* treekem_private::private_key(std::uint32_t node_index) const {
  const auto it = nodes_.find(node_index);
  return it == nodes_.end() ? nullptr : &it->second.private_key;
}

const bytes* treekem_private::public_key(std::uint32_t node_index) const {
  const auto it = nodes_.find(node_index);
  return it == nodes_.end() ? nullptr : &it->second.public_key;
}

const bytes* treekem_private::path_secret(std::uint32_t node_index) const {
  const auto it = nodes_.find(node_index);
  if (it == nodes_.end() || it->second.path_secret.empty()) return nullptr;
  return &it->second.path_secret;
}

const bytes* treekem_private::path_secret_for(std::uint32_t leaf) const {
  return path_secret(tmath::common_ancestor(tmath::leaf_to_node(leaf_), tmath::leaf_to_node(leaf)));
}

bool treekem_private::consistent(const ratchet_tree& tree) const {
  return std::all_of(nodes_.begin(), nodes_.end(), [&](const auto& entry) {
    return entry.first < tree.node_count() && !tree.blank(entry.first) &&
           tree.encryption_key(entry.first) == entry.second.public_key;
  });
}

void treekem_private::prune(const ratchet_tree& tree) {
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (it->first >= tree.node_count() || tree.blank(it->first)) {
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
}

encap_result encap(ratchet_tree& tree, std::uint32_t from, leaf_node leaf,
                   const bytes& signature_private_key, group_context context,
                   const std::vector<std::uint32_t>& excluded, const bytes& leaf_secret) {
  if (signature_public_key(signature_private_key) != leaf.signature_key) {
    throw error("encap: the signature key is not the leaf's");
  }
  const auto path = tree.filtered_direct_path(from);
  const auto leaf_keys = node_key_pair(leaf_secret);
  encap_result result;
  result.private_state = treekem_private(from, leaf_keys.private_key);

  std::vector<bytes> secrets;
  std::vector<bytes> public_keys;
  auto secret = derive_secret(leaf_secret, "path");
  for (const auto& step : path) {
    result.private_state.set_path_secret(step.node, secret);
    public_keys.push_back(*result.private_state.public_key(step.node));
    secrets.push_back(secret);
    secret = derive_secret(secret, "path");
  }
  result.commit_secret = std::move(secret);

  leaf.encryption_key = leaf_keys.public_key;
  leaf.source = leaf_node_source::commit;
  leaf.lifetime = {};
  leaf.parent_hash = tree.merge_path_keys(from, public_keys);
  leaf.sign(signature_private_key, context.group_id, from);
  tree.set_leaf(from, leaf);

  const auto ctx = context_after_merge(tree, std::move(context));
  result.path.leaf_node = std::move(leaf);
  for (std::size_t i = 0; i < path.size(); ++i) {
    update_path_node node{public_keys[i], {}};
    for (auto r : recipients(tree, path[i].copath_child, excluded)) {
      node.encrypted_path_secret.push_back(
          encrypt_with_label(tree.encryption_key(r), update_path_label, ctx, secrets[i]));
    }
    result.path.nodes.push_back(std::move(node));
  }
  return result;
}

encap_result encap(ratchet_tree& tree, std::uint32_t from, leaf_node leaf,
                   const bytes& signature_private_key, group_context context,
                   const std::vector<std::uint32_t>& excluded) {
  return encap(tree, from, std::move(leaf), signature_private_key, std::move(context), excluded,
               random_bytes(hash_size));
}

decap_result decap(ratchet_tree& tree, treekem_private& me, std::uint32_t from,
                   const update_path& path, group_context context,
                   const std::vector<std::uint32_t>& excluded) {
  const auto my_node = tmath::leaf_to_node(me.leaf_index());
  if (from == me.leaf_index()) throw error("update path: from this member itself");
  if (std::find(excluded.begin(), excluded.end(), me.leaf_index()) != excluded.end()) {
    throw error("update path: this member joins in the commit");
  }
  const auto steps = tree.filtered_direct_path(from);
  std::vector<bytes> public_keys;
  for (const auto& n : path.nodes) public_keys.push_back(n.encryption_key);
  const auto parent_hash = tree.merge_path_keys(from, public_keys);
  if (path.leaf_node.source != leaf_node_source::commit ||
      path.leaf_node.parent_hash != parent_hash) {
    throw error("update path: the leaf's parent hash does not match the path");
  }
  tree.set_leaf(from, path.leaf_node);
  const auto ctx = context_after_merge(tree, std::move(context));

  // The lowest path node above this member; the copath child under it
  // holds exactly one node of its resolution that is this member's.
  const auto first = std::find_if(steps.begin(), steps.end(), [&](const auto& step) {
    return tmath::in_subtree(my_node, step.node);
  });
  if (first == steps.end()) throw error("update path: no path node above this member");
  const auto i = static_cast<std::size_t>(first - steps.begin());
  const auto res = recipients(tree, first->copath_child, excluded);
  const auto& ciphertexts = path.nodes[i].encrypted_path_secret;
  if (res.size() != ciphertexts.size()) {
    throw error("update path: " + std::to_string(ciphertexts.size()) +
                " ciphertexts for a resolution of " + std::to_string(res.size()));
  }
  // Both a parent node and this member's leaf, unmerged at it, may cover
  // this member; only one of them has a key here.
  const auto mine = std::find_if(res.begin(), res.end(), [&](std::uint32_t r) {
    return tmath::in_subtree(my_node, r) && me.private_key(r) != nullptr;
  });
  if (mine == res.end()) throw error("update path: no private key to decrypt with");
  const bytes* key = me.private_key(*mine);
  const auto& ct = ciphertexts[static_cast<std::size_t>(mine - res.begin())];

  decap_result result;
  result.ancestor = first->node;
  result.path_secret =
      decrypt_with_label(*key, update_path_label, ctx, ct.kem_output, ct.ciphertext);
  auto updated = me;
  auto secret = result.path_secret;
  for (auto j = i; j < steps.size(); ++j) {
    updated.set_path_secret(steps[j].node, secret);
    if (*updated.public_key(steps[j].node) != public_keys[j]) {
      throw error("update path: node " + std::to_string(steps[j].node) +
                  " key does not match its path secret");
    }
    secret = derive_secret(secret, "path");
  }
  result.commit_secret = std::move(secret);
  updated.prune(tree);
  me = std::move(updated);
  return result;
}

}  // namespace parley::mls
