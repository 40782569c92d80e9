// Key packages for joining (RFC 9420 §10) and the identities and group
// extensions DAVE builds its groups from.
#include <limits>
#include <utility>

#include "actors/transport/discord/mls/group.hpp"

namespace parley::mls {

bytes user_id_identity(std::uint64_t user_id) {
  bytes out(8);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(user_id >> (8 * (out.size() - 1 - i)));
  }
  return out;
}

std::optional<std::uint64_t> identity_user_id(const bytes& identity) {
  if (identity.size() != 8) return std::nullopt;
  std::uint64_t value = 0;
  for (auto b : identity) value = (value << 8) | b;
  return value;
}

mls::capabilities default_capabilities() {
  mls::capabilities caps;
  caps.versions = {protocol_version_mls10};
  caps.cipher_suites = {cipher_suite};
  caps.credentials = {credential_type::basic};
  return caps;
}

member_key_package create_key_package(const bytes& identity,
                                      const std::optional<bytes>& signature_private_key) {
  member_key_package out;
  auto& secrets = out.secrets;
  if (signature_private_key) {
    secrets.signature_private_key = *signature_private_key;
  } else {
    secrets.signature_private_key = generate_signature_key().private_key;
  }
  auto encryption = generate_hpke_key();
  auto init = generate_hpke_key();
  secrets.encryption_private_key = std::move(encryption.private_key);
  secrets.init_private_key = std::move(init.private_key);

  auto& leaf = out.package.leaf_node;
  leaf.encryption_key = std::move(encryption.public_key);
  leaf.signature_key = signature_public_key(secrets.signature_private_key);
  leaf.credential = {credential_type::basic, identity};
  leaf.capabilities = default_capabilities();
  leaf.source = leaf_node_source::key_package;
  // DAVE's gateway requires the widest lifetime, and members do not check it.
  leaf.lifetime = {0, std::numeric_limits<std::uint64_t>::max()};
  leaf.sign(secrets.signature_private_key);

  out.package.init_key = std::move(init.public_key);
  out.package.sign(secrets.signature_private_key);
  return out;
}

extension external_senders_extension(const std::vector<external_sender>& senders) {
  tls_writer w;
  encode_external_senders(w, senders);
  return {extension_type::external_senders, w.take()};
}

std::vector<external_sender> external_senders_of(const extension_list& extensions) {
  const auto* data = find_extension(extensions, extension_type::external_senders);
  if (data == nullptr) return {};
  return decode_all<std::vector<external_sender>>(
      *data, [](tls_reader& r) { return decode_external_senders(r); });
}

}  // namespace parley::mls
