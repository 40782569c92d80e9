#pragma once
// The psk_secret a commit's PreSharedKey proposals feed into the key
// schedule (RFC 9420 §8.4): each PSK is bound to its PreSharedKeyID and its
// position in the list, then all are chained together.

#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/proposal.hpp"

namespace parley::mls {

struct psk_with_secret {
  psk_id id;
  bytes secret;
};

// The all-zero Nh-byte vector when `psks` is empty. At most 65535 PSKs
// (index and count are uint16 on the wire).
bytes derive_psk_secret(const std::vector<psk_with_secret>& psks);

}  // namespace parley::mls
