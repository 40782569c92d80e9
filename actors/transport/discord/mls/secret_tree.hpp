#pragma once
// The secret tree (RFC 9420 §9): one epoch's encryption_secret spread over
// the leaves, each leaf with a handshake and an application hash ratchet
// that yields one AEAD key and nonce per generation. Secrets are derived
// lazily and deleted as soon as they are used, so a compromise later in
// the epoch does not expose messages already sent or received (forward
// secrecy). A receiver tolerates a bounded amount of reordering: keys of
// skipped generations are kept for a while; a generation used once, or
// older than the window, is refused.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::mls {

enum class ratchet_kind : std::uint8_t { handshake, application };

struct ratchet_key {
  std::uint32_t generation = 0;
  bytes key;
  bytes nonce;
};

class hash_ratchet {
 public:
  // How far past the next expected generation a receiver will ratchet in
  // one step, and how many skipped keys it keeps for late messages: both
  // bound what a hostile or lossy sender can make us compute and store.
  static constexpr std::uint32_t max_forward = 1000;
  static constexpr std::size_t max_skipped = 1000;

  explicit hash_ratchet(bytes secret) : secret_(std::move(secret)) {}

  // Sender side: the key of the next unused generation.
  ratchet_key next();
  // Receiver side: the key of `generation`, usable exactly once.
  ratchet_key get(std::uint32_t generation);

 private:
  ratchet_key advance();

  bytes secret_;  // the ratchet secret of generation next_
  std::uint32_t next_ = 0;
  bool exhausted_ = false;
  std::map<std::uint32_t, ratchet_key> skipped_;
};

class secret_tree {
 public:
  // `leaf_count` is the ratchet tree's number of leaves, a power of two.
  secret_tree(const bytes& encryption_secret, std::uint32_t leaf_count);

  ratchet_key next(std::uint32_t leaf, ratchet_kind kind);
  ratchet_key get(std::uint32_t leaf, ratchet_kind kind, std::uint32_t generation);
  std::uint32_t leaf_count() const { return leaf_count_; }

 private:
  struct leaf_ratchets {
    hash_ratchet handshake;
    hash_ratchet application;
  };

  hash_ratchet& ratchet(std::uint32_t leaf, ratchet_kind kind);
  leaf_ratchets derive_leaf(std::uint32_t leaf);

  std::uint32_t leaf_count_;
  // Node secrets by node index; empty once split into the children's.
  std::vector<bytes> nodes_;
  std::vector<std::optional<leaf_ratchets>> leaves_;
};

// The key and nonce protecting a PrivateMessage's sender data (§6.3.2),
// from the first Nh bytes of its ciphertext.
struct sender_data_keys {
  bytes key;
  bytes nonce;
};
sender_data_keys derive_sender_data_keys(const bytes& sender_data_secret, const bytes& ciphertext);

}  // namespace parley::mls
