#include "actors/transport/discord/mls/secret_tree.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"

namespace parley::mls {

namespace {

bytes text(const char* s) {
  const std::string t(s);
  return bytes(t.begin(), t.end());
}

}  // namespace

ratchet_key hash_ratchet::advance() {
  if (exhausted_) throw error("secret tree: ratchet exhausted");
  ratchet_key out{next_, derive_tree_secret(secret_, "key", next_, aead_key_size),
                  derive_tree_secret(secret_, "nonce", next_, aead_nonce_size)};
  secret_ = derive_tree_secret(secret_, "secret", next_, hash_size);
  if (next_ == std::numeric_limits<std::uint32_t>::max()) {
    exhausted_ = true;
  } else {
    ++next_;
  }
  return out;
}

ratchet_key hash_ratchet::next() {
  return advance();
}

ratchet_key hash_ratchet::get(std::uint32_t generation) {
  if (generation < next_ || exhausted_) {
    auto it = skipped_.find(generation);
    if (it == skipped_.end()) {
      throw error("secret tree: generation " + std::to_string(generation) +
                  " already used or too old");
    }
    auto key = std::move(it->second);
    skipped_.erase(it);
    return key;
  }
  if (generation - next_ > max_forward) {
    throw error("secret tree: generation " + std::to_string(generation) + " is too far ahead of " +
                std::to_string(next_));
  }
  while (next_ < generation) {
    auto key = advance();
    skipped_.emplace(key.generation, std::move(key));
  }
  // The map is ordered, so the oldest skipped keys go first.
  while (skipped_.size() > max_skipped) skipped_.erase(skipped_.begin());
  return advance();
}

secret_tree::secret_tree(const bytes& encryption_secret, std::uint32_t leaf_count)
    : leaf_count_(leaf_count) {
  if (leaf_count == 0 || (leaf_count & (leaf_count - 1)) != 0 || leaf_count > (1U << 30)) {
    throw error("secret tree: leaf count " + std::to_string(leaf_count) + " is not a power of two");
  }
  if (encryption_secret.size() != hash_size) throw error("secret tree: bad encryption_secret");
  nodes_.resize(2 * static_cast<std::size_t>(leaf_count) - 1);
  nodes_[tree_math::root(leaf_count)] = encryption_secret;
  leaves_.resize(leaf_count);
}

secret_tree::leaf_ratchets secret_tree::derive_leaf(std::uint32_t leaf) {
  const std::uint32_t target = tree_math::leaf_to_node(leaf);
  std::uint32_t x = tree_math::root(leaf_count_);
  while (x != target) {
    // Split this node's secret into its children's and forget it.
    if (!nodes_[x].empty()) {
      nodes_[tree_math::left(x)] = expand_with_label(nodes_[x], "tree", text("left"), hash_size);
      nodes_[tree_math::right(x)] = expand_with_label(nodes_[x], "tree", text("right"), hash_size);
      bytes{}.swap(nodes_[x]);
    }
    x = target < x ? tree_math::left(x) : tree_math::right(x);
  }
  if (nodes_[x].empty()) throw error("secret tree: leaf secret already consumed");
  leaf_ratchets out{hash_ratchet(expand_with_label(nodes_[x], "handshake", {}, hash_size)),
                    hash_ratchet(expand_with_label(nodes_[x], "application", {}, hash_size))};
  bytes{}.swap(nodes_[x]);
  return out;
}

hash_ratchet& secret_tree::ratchet(std::uint32_t leaf, ratchet_kind kind) {
  if (leaf >= leaf_count_) {
    throw error("secret tree: leaf " + std::to_string(leaf) + " outside a tree of " +
                std::to_string(leaf_count_));
  }
  auto& slot = leaves_[leaf];
  if (!slot) slot.emplace(derive_leaf(leaf));
  return kind == ratchet_kind::handshake ? slot->handshake : slot->application;
}

ratchet_key secret_tree::next(std::uint32_t leaf, ratchet_kind kind) {
  return ratchet(leaf, kind).next();
}

ratchet_key secret_tree::get(std::uint32_t leaf, ratchet_kind kind, std::uint32_t generation) {
  return ratchet(leaf, kind).get(generation);
}

sender_data_keys derive_sender_data_keys(const bytes& sender_data_secret, const bytes& ciphertext) {
  const auto sample_size = std::min(ciphertext.size(), hash_size);
  const bytes sample(ciphertext.begin(),
                     ciphertext.begin() + static_cast<std::ptrdiff_t>(sample_size));
  return {expand_with_label(sender_data_secret, "key", sample, aead_key_size),
          expand_with_label(sender_data_secret, "nonce", sample, aead_nonce_size)};
}

}  // namespace parley::mls
