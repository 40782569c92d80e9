#include "actors/transport/discord/mls/key_package.hpp"

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

namespace {
const char* const key_package_sign_label = "KeyPackageTBS";
}  // namespace

void key_package::encode_content(tls_writer& w) const {
  w.u16(version);
  w.u16(cipher_suite);
  w.opaque(init_key);
  leaf_node.encode(w);
  encode_extensions(w, extensions);
}

void key_package::encode(tls_writer& w) const {
  encode_content(w);
  w.opaque(signature);
}

key_package key_package::decode(tls_reader& r) {
  key_package value;
  value.version = r.u16();
  value.cipher_suite = r.u16();
  value.init_key = r.opaque();
  value.leaf_node = mls::leaf_node::decode(r);
  value.extensions = decode_extensions(r);
  value.signature = r.opaque();
  return value;
}

bytes key_package::to_be_signed() const {
  tls_writer w;
  encode_content(w);
  return w.take();
}

void key_package::sign(const bytes& signature_private_key) {
  signature = sign_with_label(signature_private_key, key_package_sign_label, to_be_signed());
}

bool key_package::verify() const {
  return verify_with_label(leaf_node.signature_key, key_package_sign_label, to_be_signed(),
                           signature);
}

bytes key_package::ref() const {
  return ref_hash("KeyPackage Reference", mls::encode(*this));
}

}  // namespace parley::mls
