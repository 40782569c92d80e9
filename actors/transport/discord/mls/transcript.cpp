#include "actors/transport/discord/mls/transcript.hpp"

#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::mls {

namespace {

bytes concat(const bytes& a, const bytes& b) {
  bytes out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

bytes next_confirmed_transcript_hash(const bytes& interim_before,
                                     const authenticated_content& commit) {
  if (commit.content.type() != content_type::commit) {
    throw error("transcript: only a commit advances the transcript");
  }
  return hash(concat(interim_before, confirmed_transcript_hash_input(commit)));
}

bytes next_interim_transcript_hash(const bytes& confirmed, const bytes& confirmation_tag) {
  return hash(concat(confirmed, interim_transcript_hash_input(confirmation_tag)));
}

transcript_hashes next_transcript_hashes(const bytes& interim_before,
                                         const authenticated_content& commit) {
  if (!commit.auth.confirmation_tag) throw error("transcript: commit has no confirmation tag");
  transcript_hashes out;
  out.confirmed = next_confirmed_transcript_hash(interim_before, commit);
  out.interim = next_interim_transcript_hash(out.confirmed, *commit.auth.confirmation_tag);
  return out;
}

bytes make_confirmation_tag(const bytes& confirmation_key, const bytes& confirmed) {
  return mac(confirmation_key, confirmed);
}

bool verify_confirmation_tag(const bytes& confirmation_key, const bytes& confirmed,
                             const bytes& tag) {
  return equal_ct(mac(confirmation_key, confirmed), tag);
}

}  // namespace parley::mls
