#pragma once
// The MLS key schedule (RFC 9420 §8): from the previous epoch's
// init_secret, the commit_secret and the psk_secret, bound to the new
// epoch's serialized GroupContext, it derives every secret of one epoch.
// Only the derived secrets are kept: epoch_secret itself is dropped once
// used, and every `bytes` wipes itself when freed.

#include <cstddef>
#include <cstdint>
#include <string>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::mls {

// The all-zero Nh-byte secret: commit_secret without a path, psk_secret
// without PSKs (§8).
bytes zero_secret();

// The AEAD key and nonce a Welcome's GroupInfo is encrypted with (§12.4.3.1).
struct welcome_key {
  bytes key;
  bytes nonce;
};
welcome_key derive_welcome_key(const bytes& welcome_secret);

struct epoch_secrets {
  bytes joiner_secret;
  bytes welcome_secret;

  bytes sender_data_secret;
  bytes encryption_secret;
  bytes exporter_secret;
  bytes external_secret;
  bytes confirmation_key;
  bytes membership_key;
  bytes resumption_psk;
  bytes epoch_authenticator;
  // The next epoch's init_secret.
  bytes init_secret;

  // A member moving into the epoch described by `group_context` (the
  // serialized GroupContext of the new epoch).
  static epoch_secrets derive(const bytes& init_secret, const bytes& commit_secret,
                              const bytes& psk_secret, const bytes& group_context);
  // A new member from a Welcome: it never knew init_secret or
  // commit_secret, only the joiner_secret they produce.
  static epoch_secrets from_joiner(const bytes& joiner_secret, const bytes& psk_secret,
                                   const bytes& group_context);

  // MLS-Exporter(label, context, length) (§8.5). The label is taken as raw
  // bytes: applications (and the vectors) may use any.
  bytes exporter(const std::string& label, const bytes& context, std::size_t length) const;

  // The key pair external joiners encrypt to: DeriveKeyPair(external_secret).
  hpke_key_pair external_key_pair() const;
};

}  // namespace parley::mls
