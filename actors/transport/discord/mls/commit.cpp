#include "actors/transport/discord/mls/commit.hpp"

#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

void update_path_node::encode(tls_writer& w) const {
  w.opaque(encryption_key);
  w.vector([&](tls_writer& inner) {
    for (const auto& item : encrypted_path_secret) encode_ciphertext(inner, item);
  });
}

update_path_node update_path_node::decode(tls_reader& r) {
  update_path_node value;
  value.encryption_key = r.opaque();
  r.vector(
      [&](tls_reader& inner) { value.encrypted_path_secret.push_back(decode_ciphertext(inner)); });
  return value;
}

void update_path::encode(tls_writer& w) const {
  leaf_node.encode(w);
  encode_vector(w, nodes);
}

update_path update_path::decode(tls_reader& r) {
  update_path value;
  value.leaf_node = mls::leaf_node::decode(r);
  value.nodes = decode_vector<update_path_node>(r);
  return value;
}

void commit::encode(tls_writer& w) const {
  encode_vector(w, proposals);
  encode_optional(w, path);
}

commit commit::decode(tls_reader& r) {
  commit value;
  value.proposals = decode_vector<proposal_or_ref>(r);
  value.path = decode_optional<update_path>(r);
  return value;
}

}  // namespace parley::mls
