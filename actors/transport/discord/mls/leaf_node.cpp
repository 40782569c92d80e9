#include "actors/transport/discord/mls/leaf_node.hpp"

#include <string>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

namespace {

const char* const leaf_sign_label = "LeafNodeTBS";

leaf_node_source decode_source(tls_reader& r) {
  auto value = r.u8();
  if (value < 1 || value > 3) {
    throw error("leaf node: unknown source " + std::to_string(value));
  }
  return static_cast<leaf_node_source>(value);
}

}  // namespace

void leaf_node::encode_content(tls_writer& w) const {
  w.opaque(encryption_key);
  w.opaque(signature_key);
  credential.encode(w);
  capabilities.encode(w);
  w.u8(static_cast<std::uint8_t>(source));
  switch (source) {
    case leaf_node_source::key_package:
      lifetime.encode(w);
      break;
    case leaf_node_source::update:
      break;
    case leaf_node_source::commit:
      w.opaque(parent_hash);
      break;
    default:
      throw error("leaf node: unknown source");
  }
  encode_extensions(w, extensions);
}

void leaf_node::encode(tls_writer& w) const {
  encode_content(w);
  w.opaque(signature);
}

leaf_node leaf_node::decode(tls_reader& r) {
  leaf_node value;
  value.encryption_key = r.opaque();
  value.signature_key = r.opaque();
  value.credential = mls::credential::decode(r);
  value.capabilities = mls::capabilities::decode(r);
  value.source = decode_source(r);
  if (value.source == leaf_node_source::key_package) {
    value.lifetime = mls::lifetime::decode(r);
  } else if (value.source == leaf_node_source::commit) {
    value.parent_hash = r.opaque();
  }
  value.extensions = decode_extensions(r);
  value.signature = r.opaque();
  return value;
}

bytes leaf_node::to_be_signed(const bytes& group_id, std::uint32_t leaf_index) const {
  tls_writer w;
  encode_content(w);
  if (source != leaf_node_source::key_package) {
    w.opaque(group_id);
    w.u32(leaf_index);
  }
  return w.take();
}

void leaf_node::sign(const bytes& signature_private_key, const bytes& group_id,
                     std::uint32_t leaf_index) {
  signature =
      sign_with_label(signature_private_key, leaf_sign_label, to_be_signed(group_id, leaf_index));
}

bool leaf_node::verify(const bytes& group_id, std::uint32_t leaf_index) const {
  return verify_with_label(signature_key, leaf_sign_label, to_be_signed(group_id, leaf_index),
                           signature);
}

}  // namespace parley::mls
