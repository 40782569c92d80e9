#include "actors/transport/discord/mls/ratchet_tree.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "actors/transport/discord/mls/tree_math.hpp"

namespace parley::mls {

namespace tmath = tree_math;

namespace {

// 2^31 leaves is where 32-bit node indices run out.
constexpr std::size_t max_nodes = 0xFFFFFFFFU;

std::uint32_t full_leaf_count(std::uint32_t leaves) {
  std::uint32_t n = 1;
  while (n < leaves) n *= 2;
  return n;
}

}  // namespace

ratchet_tree ratchet_tree::from_nodes(tree_nodes nodes) {
  if (nodes.empty()) throw error("ratchet tree: no nodes");
  if (nodes.size() >= max_nodes / 2) throw error("ratchet tree: too many nodes");
  if (nodes.size() % 2 == 0) throw error("ratchet tree: even number of nodes");
  if (!nodes.back()) throw error("ratchet tree: trailing blank node");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i]) continue;
    const bool at_leaf = i % 2 == 0;
    if (at_leaf != (nodes[i]->type() == node_type::leaf)) {
      throw error("ratchet tree: node " + std::to_string(i) + " of the wrong kind");
    }
  }
  const auto width = static_cast<std::uint32_t>(nodes.size());
  ratchet_tree tree;
  tree.nodes_ = std::move(nodes);
  tree.nodes_.resize(tmath::node_width(full_leaf_count(tmath::leaf_width(width))));
  return tree;
}

ratchet_tree ratchet_tree::decode(const bytes& data) {
  return from_nodes(decode_tree(data));
}

tree_nodes ratchet_tree::to_nodes() const {
  auto end = nodes_.size();
  while (end > 0 && !nodes_[end - 1]) --end;
  return tree_nodes(nodes_.begin(), nodes_.begin() + static_cast<std::ptrdiff_t>(end));
}

bytes ratchet_tree::encode() const {
  return encode_tree(to_nodes());
}

std::uint32_t ratchet_tree::leaf_count() const {
  return tmath::leaf_width(node_count());
}

std::uint32_t ratchet_tree::member_count() const {
  std::uint32_t n = 0;
  for (std::uint32_t i = 0; i < leaf_count(); ++i) {
    if (leaf(i) != nullptr) ++n;
  }
  return n;
}

const std::optional<node>& ratchet_tree::at(std::uint32_t node_index) const {
  if (node_index >= nodes_.size()) {
    throw error("ratchet tree: node " + std::to_string(node_index) + " outside the tree");
  }
  return nodes_[node_index];
}

std::optional<node>& ratchet_tree::slot(std::uint32_t node_index) {
  if (node_index >= nodes_.size()) {
    throw error("ratchet tree: node " + std::to_string(node_index) + " outside the tree");
  }
  return nodes_[node_index];
}

const leaf_node* ratchet_tree::leaf(std::uint32_t leaf_index) const {
  const auto& n = at(tmath::leaf_to_node(leaf_index));
  return n ? n->leaf() : nullptr;
}

const parent_node* ratchet_tree::parent(std::uint32_t node_index) const {
  const auto& n = at(node_index);
  return n ? n->parent() : nullptr;
}

const bytes& ratchet_tree::encryption_key(std::uint32_t node_index) const {
  const auto& n = at(node_index);
  if (!n) throw error("ratchet tree: node " + std::to_string(node_index) + " is blank");
  if (const auto* l = n->leaf()) return l->encryption_key;
  return n->parent()->encryption_key;
}

std::vector<std::uint32_t> ratchet_tree::resolution(std::uint32_t node_index) const {
  const auto& n = at(node_index);
  if (n) {
    std::vector<std::uint32_t> out{node_index};
    if (const auto* p = n->parent()) {
      for (auto u : p->unmerged_leaves) out.push_back(tmath::leaf_to_node(u));
    }
    return out;
  }
  if (tmath::is_leaf(node_index)) return {};
  auto out = resolution(tmath::left(node_index));
  const auto right = resolution(tmath::right(node_index));
  out.insert(out.end(), right.begin(), right.end());
  return out;
}

std::vector<ratchet_tree::path_step> ratchet_tree::filtered_direct_path(
    std::uint32_t leaf_index) const {
  const auto n = leaf_count();
  auto x = tmath::leaf_to_node(leaf_index);
  if (x >= node_count()) throw error("ratchet tree: leaf outside the tree");
  std::vector<path_step> path;
  const auto r = tmath::root(n);
  while (x != r) {
    const auto p = tmath::parent(x, n);
    const auto s = tmath::sibling(x, n);
    if (!resolution(s).empty()) path.push_back({p, s});
    x = p;
  }
  return path;
}

std::uint32_t ratchet_tree::add_leaf(leaf_node leaf) {
  if (has_encryption_key(leaf.encryption_key)) throw error("add: encryption key already in tree");
  if (find_leaf_by_signature_key(leaf.signature_key)) {
    throw error("add: signature key already in tree");
  }
  std::uint32_t index = 0;
  while (index < leaf_count() && this->leaf(index) != nullptr) ++index;
  if (index == leaf_count()) {
    const auto leaves = leaf_count() == 0 ? 1U : leaf_count() * 2;
    if (leaves > 0x80000000U || leaves < leaf_count()) throw error("add: tree is full");
    nodes_.resize(tmath::node_width(leaves));
  }
  const auto x = tmath::leaf_to_node(index);
  nodes_[x] = node{std::move(leaf)};
  for (auto p : tmath::direct_path(x, leaf_count())) {
    if (!nodes_[p]) continue;
    auto& unmerged = nodes_[p]->parent()->unmerged_leaves;
    // §7.1: unmerged_leaves is kept in increasing order.
    const auto at = std::lower_bound(unmerged.begin(), unmerged.end(), index);
    if (at == unmerged.end() || *at != index) unmerged.insert(at, index);
  }
  return index;
}

void ratchet_tree::update_leaf(std::uint32_t leaf_index, leaf_node leaf) {
  if (this->leaf(leaf_index) == nullptr) throw error("update: blank leaf");
  if (has_encryption_key(leaf.encryption_key)) {
    throw error("update: encryption key already in tree");
  }
  const auto owner = find_leaf_by_signature_key(leaf.signature_key);
  if (owner && *owner != leaf_index) throw error("update: signature key of another member");
  blank_direct_path(leaf_index);
  set_leaf(leaf_index, std::move(leaf));
}

void ratchet_tree::remove_leaf(std::uint32_t leaf_index) {
  if (leaf(leaf_index) == nullptr) throw error("remove: blank leaf");
  slot(tmath::leaf_to_node(leaf_index)).reset();
  blank_direct_path(leaf_index);
  truncate();
}

void ratchet_tree::blank_direct_path(std::uint32_t leaf_index) {
  const auto x = tmath::leaf_to_node(leaf_index);
  if (x >= node_count()) throw error("ratchet tree: leaf outside the tree");
  for (auto p : tmath::direct_path(x, leaf_count())) nodes_[p].reset();
}

void ratchet_tree::truncate() {
  auto last = leaf_count();
  while (last > 0 && leaf(last - 1) == nullptr) --last;
  if (last == 0) {
    nodes_.clear();
    return;
  }
  // The smallest power of two above the rightmost member's index.
  std::uint32_t leaves = 1;
  while (leaves < last) leaves *= 2;
  nodes_.resize(tmath::node_width(leaves));
}

bytes ratchet_tree::merge_path_keys(std::uint32_t leaf_index, const std::vector<bytes>& path_keys) {
  if (leaf(leaf_index) == nullptr) throw error("update path: sender leaf is blank");
  const auto path = filtered_direct_path(leaf_index);
  if (path.size() != path_keys.size()) {
    throw error("update path: " + std::to_string(path_keys.size()) + " nodes for a path of " +
                std::to_string(path.size()));
  }
  blank_direct_path(leaf_index);
  for (std::size_t i = 0; i < path.size(); ++i) {
    nodes_[path[i].node] = node{parent_node{path_keys[i], {}, {}}};
  }
  // Each node's parent hash covers the node above it, so fill from the top.
  bytes below;
  for (auto i = path.size(); i-- > 0;) {
    below = parent_hash(path[i].node, path[i].copath_child);
    if (i > 0) nodes_[path[i - 1].node]->parent()->parent_hash = below;
  }
  return below;
}

void ratchet_tree::set_leaf(std::uint32_t leaf_index, leaf_node leaf) {
  slot(tmath::leaf_to_node(leaf_index)) = node{std::move(leaf)};
}

std::optional<std::uint32_t> ratchet_tree::find_leaf_by_signature_key(const bytes& key) const {
  for (std::uint32_t i = 0; i < leaf_count(); ++i) {
    const auto* l = leaf(i);
    if (l != nullptr && l->signature_key == key) return i;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> ratchet_tree::find_leaf_by_encryption_key(const bytes& key) const {
  for (std::uint32_t i = 0; i < leaf_count(); ++i) {
    const auto* l = leaf(i);
    if (l != nullptr && l->encryption_key == key) return i;
  }
  return std::nullopt;
}

bool ratchet_tree::has_encryption_key(const bytes& key) const {
  for (std::uint32_t i = 0; i < node_count(); ++i) {
    if (nodes_[i] && encryption_key(i) == key) return true;
  }
  return false;
}

}  // namespace parley::mls
