#include "actors/transport/discord/mls/welcome.hpp"

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

namespace {
const char* const group_info_sign_label = "GroupInfoTBS";
}  // namespace

void group_info::encode_content(tls_writer& w) const {
  group_context.encode(w);
  encode_extensions(w, extensions);
  w.opaque(confirmation_tag);
  w.u32(signer);
}

void group_info::encode(tls_writer& w) const {
  encode_content(w);
  w.opaque(signature);
}

group_info group_info::decode(tls_reader& r) {
  group_info value;
  value.group_context = mls::group_context::decode(r);
  value.extensions = decode_extensions(r);
  value.confirmation_tag = r.opaque();
  value.signer = r.u32();
  value.signature = r.opaque();
  return value;
}

bytes group_info::to_be_signed() const {
  tls_writer w;
  encode_content(w);
  return w.take();
}

void group_info::sign(const bytes& signature_private_key) {
  signature = sign_with_label(signature_private_key, group_info_sign_label, to_be_signed());
}

bool group_info::verify(const bytes& signature_public_key) const {
  return verify_with_label(signature_public_key, group_info_sign_label, to_be_signed(), signature);
}

void group_secrets::encode(tls_writer& w) const {
  w.opaque(joiner_secret);
  // optional<PathSecret>, where PathSecret is {opaque path_secret<V>}.
  encode_optional_opaque(w, path_secret);
  encode_vector(w, psks);
}

group_secrets group_secrets::decode(tls_reader& r) {
  group_secrets value;
  value.joiner_secret = r.opaque();
  value.path_secret = decode_optional_opaque(r);
  value.psks = decode_vector<psk_id>(r);
  return value;
}

void group_secrets_ciphertext::encode(tls_writer& w) const {
  w.opaque(new_member);
  encode_ciphertext(w, encrypted_group_secrets);
}

group_secrets_ciphertext group_secrets_ciphertext::decode(tls_reader& r) {
  group_secrets_ciphertext value;
  value.new_member = r.opaque();
  value.encrypted_group_secrets = decode_ciphertext(r);
  return value;
}

void welcome::encode(tls_writer& w) const {
  w.u16(cipher_suite);
  encode_vector(w, secrets);
  w.opaque(encrypted_group_info);
}

welcome welcome::decode(tls_reader& r) {
  welcome value;
  value.cipher_suite = r.u16();
  value.secrets = decode_vector<encrypted_group_secrets>(r);
  value.encrypted_group_info = r.opaque();
  return value;
}

const encrypted_group_secrets* welcome::find(const bytes& key_package_ref) const {
  for (const auto& item : secrets) {
    if (item.new_member == key_package_ref) return &item;
  }
  return nullptr;
}

}  // namespace parley::mls
