#pragma once
// The transcript hashes (RFC 9420 §8.2) that chain every commit of a group
// into its GroupContext, and the confirmation tag that proves a committer
// reached the same epoch secrets as everyone else.

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/framing.hpp"

namespace parley::mls {

struct transcript_hashes {
  bytes confirmed;
  bytes interim;
};

// Hash(interim_before || ConfirmedTranscriptHashInput). `commit` must carry
// a Commit.
bytes next_confirmed_transcript_hash(const bytes& interim_before,
                                     const authenticated_content& commit);
// Hash(confirmed || InterimTranscriptHashInput{confirmation_tag}).
bytes next_interim_transcript_hash(const bytes& confirmed, const bytes& confirmation_tag);
// Both, from the commit and its own confirmation tag (which must be set).
transcript_hashes next_transcript_hashes(const bytes& interim_before,
                                         const authenticated_content& commit);

// MAC(confirmation_key, confirmed_transcript_hash).
bytes make_confirmation_tag(const bytes& confirmation_key, const bytes& confirmed);
// Constant time.
bool verify_confirmation_tag(const bytes& confirmation_key, const bytes& confirmed,
                             const bytes& tag);

}  // namespace parley::mls
