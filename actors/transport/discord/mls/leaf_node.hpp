#pragma once
// Leaf and parent nodes of the ratchet tree (RFC 9420 §7.2, §7.1) and the
// tree as it travels in the ratchet_tree extension (§12.4.3.3).

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/credential.hpp"
#include "actors/transport/discord/mls/extension.hpp"

namespace parley::mls {

enum class leaf_node_source : std::uint8_t { key_package = 1, update = 2, commit = 3 };

struct leaf_node {
  bytes encryption_key;
  bytes signature_key;
  mls::credential credential;
  mls::capabilities capabilities;
  leaf_node_source source = leaf_node_source::key_package;
  mls::lifetime lifetime;  // written only when source == key_package
  bytes parent_hash;       // written only when source == commit
  extension_list extensions;
  bytes signature;

  void encode(tls_writer& w) const;
  static leaf_node decode(tls_reader& r);

  // LeafNodeTBS: everything but the signature; group_id and leaf_index are
  // written only for the update and commit sources (they are ignored for
  // key_package, so any value works there).
  bytes to_be_signed(const bytes& group_id = {}, std::uint32_t leaf_index = 0) const;
  // Sets `signature` with label "LeafNodeTBS".
  void sign(const bytes& signature_private_key, const bytes& group_id = {},
            std::uint32_t leaf_index = 0);
  // Checks `signature` against this node's own signature_key.
  bool verify(const bytes& group_id = {}, std::uint32_t leaf_index = 0) const;

 private:
  void encode_content(tls_writer& w) const;
};

struct parent_node {
  bytes encryption_key;
  bytes parent_hash;
  std::vector<std::uint32_t> unmerged_leaves;

  void encode(tls_writer& w) const;
  static parent_node decode(tls_reader& r);
};

enum class node_type : std::uint8_t { leaf = 1, parent = 2 };

struct node {
  std::variant<leaf_node, parent_node> value;

  node_type type() const { return value.index() == 0 ? node_type::leaf : node_type::parent; }
  const leaf_node* leaf() const { return std::get_if<leaf_node>(&value); }
  leaf_node* leaf() { return std::get_if<leaf_node>(&value); }
  const parent_node* parent() const { return std::get_if<parent_node>(&value); }
  parent_node* parent() { return std::get_if<parent_node>(&value); }

  void encode(tls_writer& w) const;
  static node decode(tls_reader& r);
};

// optional<Node> ratchet_tree<V>: blank nodes are nullopt. Only the wire
// shape is checked here; the tree's own rules (leaves at even indices, no
// trailing blank) are the ratchet tree's to enforce.
using tree_nodes = std::vector<std::optional<node>>;

void encode_tree(tls_writer& w, const tree_nodes& tree);
tree_nodes decode_tree(tls_reader& r);
bytes encode_tree(const tree_nodes& tree);
tree_nodes decode_tree(const bytes& data);

}  // namespace parley::mls
