// ParentNode, Node and the ratchet tree vector (RFC 9420 §7.1, §12.4.3.3).
#include <string>

#include "actors/transport/discord/mls/leaf_node.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

void parent_node::encode(tls_writer& w) const {
  w.opaque(encryption_key);
  w.opaque(parent_hash);
  encode_u32_vector(w, unmerged_leaves);
}

parent_node parent_node::decode(tls_reader& r) {
  parent_node value;
  value.encryption_key = r.opaque();
  value.parent_hash = r.opaque();
  value.unmerged_leaves = decode_u32_vector(r);
  return value;
}

void node::encode(tls_writer& w) const {
  w.u8(static_cast<std::uint8_t>(type()));
  if (const auto* l = leaf()) {
    l->encode(w);
  } else {
    parent()->encode(w);
  }
}

node node::decode(tls_reader& r) {
  auto type = r.u8();
  if (type == static_cast<std::uint8_t>(node_type::leaf)) return node{leaf_node::decode(r)};
  if (type == static_cast<std::uint8_t>(node_type::parent)) return node{parent_node::decode(r)};
  throw error("node: unknown type " + std::to_string(type));
}

void encode_tree(tls_writer& w, const tree_nodes& tree) {
  w.vector([&](tls_writer& inner) {
    for (const auto& item : tree) encode_optional(inner, item);
  });
}

tree_nodes decode_tree(tls_reader& r) {
  tree_nodes tree;
  r.vector([&](tls_reader& inner) { tree.push_back(decode_optional<node>(inner)); });
  return tree;
}

bytes encode_tree(const tree_nodes& tree) {
  tls_writer w;
  encode_tree(w, tree);
  return w.take();
}

tree_nodes decode_tree(const bytes& data) {
  return decode_all<tree_nodes>(data, [](tls_reader& r) { return decode_tree(r); });
}

}  // namespace parley::mls
