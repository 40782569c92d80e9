#pragma once
// DAVE's media frame transform (whitepaper "Encoded Frame Transforms",
// libdave's Encryptor/Decryptor): AES-128-GCM with the tag cut to 8 bytes
// and a footer after the interleaved media:
//
//   media (ciphertext, with any unencrypted ranges left in place)
//   tag(8) | ULEB128 nonce | ULEB128 (offset, size) pairs | size(1) | FA FA
//
// `size` counts the whole footer, itself and the marker included. The GCM
// nonce is 8 zero bytes then the 32-bit truncated nonce little-endian; the
// additional data is the unencrypted ranges joined. Opus frames are
// encrypted whole (no ranges); received frames may carry ranges (video
// senders), so the decryptor handles them.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "actors/transport/discord/dave/key_ratchet.hpp"
#include "actors/transport/discord/mls/codec.hpp"

namespace parley::dave {

using media_frame = std::vector<std::uint8_t>;

constexpr std::size_t tag_size = 8;
constexpr std::size_t gcm_nonce_size = 12;
constexpr std::uint8_t magic_marker_byte = 0xFA;  // the marker is FA FA
// Tag, size byte and marker: the footer without nonce and ranges.
constexpr std::size_t min_supplemental_size = tag_size + 1 + 2;
// The SFU's synthesized silence passes every decryptor untouched.
constexpr std::array<std::uint8_t, 3> opus_silence = {0xF8, 0xFF, 0xFE};
// How long keys of a previous epoch, or passthrough after it is switched
// off, stay usable for frames in flight.
constexpr std::chrono::seconds transition_expiry{10};

struct unencrypted_range {
  std::size_t offset = 0;
  std::size_t size = 0;
};

// A frame that passed the whitepaper's "protocol frame check".
struct protocol_frame {
  std::array<std::uint8_t, tag_size> tag{};
  std::uint32_t nonce = 0;
  std::vector<unencrypted_range> ranges;  // ascending, disjoint, inside the media
  std::size_t media_size = 0;             // the interleaved media before the footer
};

// Nullopt when `frame` is not a protocol frame: too short, no marker, a
// footer size out of bounds, a nonce that is not a 32-bit ULEB128, ranges
// that do not parse to the byte or overlap, run backwards or leave the media.
std::optional<protocol_frame> parse_protocol_frame(const std::uint8_t* data, std::size_t size);

std::array<std::uint8_t, gcm_nonce_size> gcm_nonce(std::uint32_t truncated_nonce);

// One frame sealed with `key` under `truncated_nonce`, the bytes in
// `ranges` left readable and authenticated. Throws mls::error for ranges
// that are not ascending, disjoint and inside the frame.
media_frame seal_frame(const mls::bytes& key, std::uint32_t truncated_nonce,
                       const std::uint8_t* data, std::size_t size,
                       const std::vector<unencrypted_range>& ranges = {});
// The media of a parsed frame opened with `key` (`data` is the frame
// `parsed` was parsed from); nullopt when the tag does not verify.
std::optional<media_frame> open_frame(const mls::bytes& key, const protocol_frame& parsed,
                                      const std::uint8_t* data);

struct encrypt_stats {
  std::uint64_t encrypted = 0;
  std::uint64_t failures = 0;
  std::uint64_t passthroughs = 0;
};

// The sending side: this member's own ratchet for the executed epoch.
class frame_encryptor {
 public:
  // A new epoch: its ratchet, the nonce starting over (the first frame
  // uses nonce 1, as libdave's does).
  void set_key_ratchet(key_ratchet ratchet);
  void clear_key_ratchet();
  bool has_key_ratchet() const { return ratchet_.has_value(); }
  // Transport-only encryption (protocol version 0): frames go out as they are.
  void set_passthrough(bool on) { passthrough_ = on; }
  bool passthrough() const { return passthrough_; }

  // The Opus frame encrypted whole; unchanged in passthrough; nullopt
  // (counted as a failure) with neither a ratchet nor passthrough, so
  // media never leaves in the clear by accident.
  std::optional<media_frame> encrypt_opus(const std::uint8_t* data, std::size_t size);
  std::optional<media_frame> encrypt_opus(const media_frame& opus) {
    return encrypt_opus(opus.data(), opus.size());
  }
  const encrypt_stats& stats() const { return stats_; }
  std::uint32_t last_nonce() const { return nonce_; }

 private:
  std::optional<key_ratchet> ratchet_;
  std::optional<mls::bytes> key_;
  std::uint32_t generation_ = 0;
  std::uint32_t nonce_ = 0;
  bool passthrough_ = false;
  encrypt_stats stats_;
};

enum class decrypt_status {
  decrypted,
  passthrough,  // not a protocol frame, passed while passthrough is allowed
  silence,      // the SFU's silence frame, always passed
  unencrypted,  // not a protocol frame, and passthrough is not allowed
  replayed,     // this nonce was already decrypted (or is too old to tell)
  no_key,       // no ratchet has a usable key for the frame's generation
  auth_failed,  // the tag does not verify under any candidate key
};
const char* to_string(decrypt_status s);

struct decrypt_result {
  decrypt_status status = decrypt_status::no_key;
  media_frame frame;  // the media, when ok()
  bool ok() const {
    return status == decrypt_status::decrypted || status == decrypt_status::passthrough ||
           status == decrypt_status::silence;
  }
};

struct decrypt_stats {
  std::uint64_t decrypted = 0;
  std::uint64_t passthroughs = 0;
  std::uint64_t silences = 0;
  std::uint64_t failures = 0;  // every refused frame; the three below say why
  std::uint64_t replays = 0;
  std::uint64_t missing_keys = 0;
  std::uint64_t auth_failures = 0;
};

// The receiving side for one sender: its ratchets for the current epoch
// and for previous epochs still within their transition window.
class frame_decryptor {
 public:
  using clock = std::chrono::steady_clock;
  // Epoch changes in quick succession keep at most this many ratchets.
  static constexpr std::size_t max_ratchets = 4;

  // A new epoch's ratchet for this sender. Ratchets already held stay
  // usable for `keep_old` from `now`, for frames sent before the change.
  void transition_to_key_ratchet(key_ratchet ratchet, clock::duration keep_old,
                                 clock::time_point now);
  // No new ratchet (a downgrade): the held ones expire after `keep_old`.
  void expire_key_ratchets(clock::duration keep_old, clock::time_point now);
  // Allowed: unencrypted frames pass until further notice. Not allowed:
  // they still pass for `expiry` from `now` (never longer than already set).
  void set_passthrough(bool allowed, clock::duration expiry, clock::time_point now);
  bool passthrough_allowed(clock::time_point now) const { return passthrough_until_ > now; }
  std::size_t ratchets() const { return ratchets_.size(); }

  decrypt_result decrypt(const std::uint8_t* data, std::size_t size, clock::time_point now);
  decrypt_result decrypt(const media_frame& frame, clock::time_point now) {
    return decrypt(frame.data(), frame.size(), now);
  }
  const decrypt_stats& stats() const { return stats_; }

 private:
  decrypt_status try_keys(receive_keys& keys, const protocol_frame& parsed,
                          const std::uint8_t* data, clock::time_point now, media_frame& out);
  decrypt_result refuse(decrypt_status why);

  std::deque<receive_keys> ratchets_;  // oldest first
  clock::time_point passthrough_until_ = clock::time_point::min();
  decrypt_stats stats_;
};

}  // namespace parley::dave
