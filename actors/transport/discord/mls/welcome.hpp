#pragma once
// GroupInfo, GroupSecrets and Welcome (RFC 9420 §12.4.3).

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/extension.hpp"
#include "actors/transport/discord/mls/group_context.hpp"
#include "actors/transport/discord/mls/proposal.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

struct group_info {
  mls::group_context group_context;
  extension_list extensions;
  bytes confirmation_tag;
  std::uint32_t signer = 0;
  bytes signature;

  void encode(tls_writer& w) const;
  static group_info decode(tls_reader& r);

  // GroupInfoTBS: everything but the signature.
  bytes to_be_signed() const;
  // Sets `signature` with label "GroupInfoTBS".
  void sign(const bytes& signature_private_key);
  // Checks `signature` against the signer's key (the caller looks it up
  // in the tree by `signer`).
  bool verify(const bytes& signature_public_key) const;

 private:
  void encode_content(tls_writer& w) const;
};

// GroupSecrets: what each new member decrypts from the Welcome.
struct group_secrets {
  bytes joiner_secret;
  std::optional<bytes> path_secret;
  std::vector<psk_id> psks;

  void encode(tls_writer& w) const;
  static group_secrets decode(tls_reader& r);
};

// EncryptedGroupSecrets. C++ forbids a member named like its class, so the
// struct has another name and `encrypted_group_secrets` is an alias of it.
struct group_secrets_ciphertext {
  bytes new_member;  // the KeyPackageRef of the joiner
  hpke_ciphertext encrypted_group_secrets;

  void encode(tls_writer& w) const;
  static group_secrets_ciphertext decode(tls_reader& r);
};
using encrypted_group_secrets = group_secrets_ciphertext;

struct welcome {
  std::uint16_t cipher_suite = mls::cipher_suite;
  std::vector<encrypted_group_secrets> secrets;
  bytes encrypted_group_info;

  void encode(tls_writer& w) const;
  static welcome decode(tls_reader& r);

  // The entry for the key package with this ref, or nullptr.
  const encrypted_group_secrets* find(const bytes& key_package_ref) const;
};

}  // namespace parley::mls
