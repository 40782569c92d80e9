#pragma once
// The per-sender media key ratchet of DAVE (whitepaper "Sender Key
// Derivation"). Each epoch, every member exports one base secret per sender
// from the MLS group:
//
//   base = MLS-Exporter("Discord Secure Frames v0", LE64(sender user id), 16)
//
// and ratchets it like MLS's sender ratchet (RFC 9420 §9.1, mlspp's
// HashRatchet, which libdave uses):
//
//   key[g]      = ExpandWithLabel(secret[g], "key",    uint32 g, 16)
//   secret[g+1] = ExpandWithLabel(secret[g], "secret", uint32 g, 32)
//
// with secret[0] = base. A frame's generation is the top byte of its
// truncated nonce, widened past 255 by `wrapped_generation`.
//
// `receive_keys` is one sender's ratchet for one epoch on the receiving
// side (libdave's CryptorManager): which generations it will accept, for
// how long an older generation stays usable for late frames, and which
// nonces were already accepted (a frame is decrypted once only).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::dave {

constexpr const char* sender_key_label = "Discord Secure Frames v0";
constexpr std::size_t media_key_size = 16;  // AES-128-GCM
// The exporter context for a sender: the user id as 8 bytes, little-endian.
mls::bytes sender_key_context(std::uint64_t user_id);

// The generation is the nonce's most significant byte.
constexpr unsigned generation_shift = 24;
constexpr std::uint32_t generation_wrap = 256;
// The full generation of a frame whose nonce carries `low` (0..255), taken
// as the first one at or after `oldest`.
std::uint32_t wrapped_generation(std::uint32_t oldest, std::uint32_t low);

class key_ratchet {
 public:
  explicit key_ratchet(mls::bytes base_secret);

  // The key of `generation`, ratcheting forward as far as needed (every
  // key passed on the way is kept until erased). Throws mls::error for a
  // generation already erased or passed without being kept, or one more
  // than `max_step` ahead of the ratchet.
  mls::bytes key(std::uint32_t generation);
  // Forgets the key of `generation` for good.
  void erase(std::uint32_t generation);
  std::size_t kept() const { return keys_.size(); }

  static constexpr std::uint32_t max_step = 1024;

 private:
  void advance();

  mls::bytes next_secret_;
  std::uint32_t next_generation_ = 0;
  std::map<std::uint32_t, mls::bytes> keys_;
};

class receive_keys {
 public:
  using clock = std::chrono::steady_clock;

  // How long an older generation stays usable once a newer one decrypted.
  static constexpr std::chrono::seconds generation_expiry{10};
  // How far past the newest decrypted generation a frame may be.
  static constexpr std::uint32_t max_generation_gap = 250;
  // How many skipped nonces are remembered as still acceptable.
  static constexpr std::size_t max_missing_nonces = 1000;
  // How many nonces before the first frame received may still arrive.
  static constexpr std::uint64_t first_frame_reorder = 64;
  // The fastest a sender can use nonces (50 audio frames and two 60 fps
  // video streams a second): a generation cannot be reached sooner.
  static constexpr std::uint64_t max_frames_per_second = 50 + 2 * 60;

  receive_keys(key_ratchet ratchet, clock::time_point now);

  // The ratchet as a whole stops being used at `when` (an epoch change);
  // an earlier expiry is never pushed back.
  void expire_at(clock::time_point when);
  bool expired(clock::time_point now) const { return now > expiry_; }

  std::uint32_t generation_of(std::uint32_t truncated_nonce) const;
  // False when the nonce was already accepted, or is too far behind the
  // newest accepted one to tell.
  bool fresh(std::uint32_t generation, std::uint32_t truncated_nonce) const;
  // The key for a frame of `generation`, or nullopt when that generation is
  // erased, too far ahead, or not reachable yet at the fastest frame rate.
  std::optional<mls::bytes> key(std::uint32_t generation, clock::time_point now);
  // A frame with this nonce decrypted: it will not be accepted again, and a
  // newer generation starts the older ones' expiry.
  void accepted(std::uint32_t generation, std::uint32_t truncated_nonce, clock::time_point now);

 private:
  void drop_expired(clock::time_point now);
  std::uint32_t reachable_generation(clock::time_point now) const;

  key_ratchet ratchet_;
  clock::time_point created_;
  clock::time_point expiry_ = clock::time_point::max();
  // Generations in use and when each stops being usable.
  std::map<std::uint32_t, clock::time_point> generations_;
  std::uint32_t oldest_ = 0;
  std::uint32_t newest_ = 0;
  std::optional<std::uint64_t> newest_nonce_;
  std::deque<std::uint64_t> missing_nonces_;
};

}  // namespace parley::dave
