#pragma once
// KeyPackage (RFC 9420 §10): a signed offer to join groups.

#include <cstdint>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/extension.hpp"
#include "actors/transport/discord/mls/leaf_node.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

struct key_package {
  std::uint16_t version = protocol_version_mls10;
  std::uint16_t cipher_suite = mls::cipher_suite;
  bytes init_key;
  mls::leaf_node leaf_node;
  extension_list extensions;
  bytes signature;

  void encode(tls_writer& w) const;
  static key_package decode(tls_reader& r);

  // KeyPackageTBS: everything but the signature.
  bytes to_be_signed() const;
  // Sets `signature` with label "KeyPackageTBS".
  void sign(const bytes& signature_private_key);
  // Checks `signature` against leaf_node.signature_key.
  bool verify() const;
  // RefHash("MLS 1.0 KeyPackage Reference", encoded KeyPackage).
  bytes ref() const;

 private:
  void encode_content(tls_writer& w) const;
};

}  // namespace parley::mls
