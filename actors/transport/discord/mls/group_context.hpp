#pragma once
// GroupContext (RFC 9420 §8.1): the state every epoch's secrets are bound to.

#include <cstdint>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/extension.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

struct group_context {
  std::uint16_t version = protocol_version_mls10;
  std::uint16_t cipher_suite = mls::cipher_suite;
  bytes group_id;
  std::uint64_t epoch = 0;
  bytes tree_hash;
  bytes confirmed_transcript_hash;
  extension_list extensions;

  void encode(tls_writer& w) const;
  static group_context decode(tls_reader& r);
};

}  // namespace parley::mls
