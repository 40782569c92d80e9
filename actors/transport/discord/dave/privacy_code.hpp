#pragma once
// What members compare out of band (whitepaper "Displayable Codes" and
// "Verification Fingerprint"): the voice privacy code, from the epoch
// authenticator, shows every member the same group; the verification code,
// from a pairwise fingerprint of two members' signature keys, shows two
// members that neither is impersonated.

#include <cstddef>
#include <cstdint>
#include <string>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::dave {

// generateDisplayableCode: `length` digits in groups of `group_size`; group
// i is the big-endian integer of data[i*group_size ...+group_size) modulo
// 10^group_size, zero-padded. Throws mls::error when data is shorter than
// `length` bytes, `length` is not a multiple of `group_size`, or
// `group_size` is 0 or above 8.
std::string displayable_code(const mls::bytes& data, std::size_t length, std::size_t group_size);

// The 30-digit code of an epoch authenticator, in groups of five.
std::string voice_privacy_code(const mls::bytes& epoch_authenticator);

// uint16 version | public key | uint64 user id, both big-endian; version 0
// is the only one there is.
mls::bytes key_fingerprint(std::uint16_t version, const mls::bytes& public_key,
                           std::uint64_t user_id);
// scrypt(N=16384, r=8, p=2) over the two key fingerprints sorted and
// joined, with the whitepaper's salt: 64 bytes, the same from both sides.
// It costs 16 MiB and tens of milliseconds: not for a per-packet path.
mls::bytes pairwise_fingerprint(std::uint16_t version, const mls::bytes& local_key,
                                std::uint64_t local_user, const mls::bytes& remote_key,
                                std::uint64_t remote_user);
// The 45-digit code of a pairwise fingerprint, in groups of five.
std::string verification_code(const mls::bytes& fingerprint);

}  // namespace parley::dave
