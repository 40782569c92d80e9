#include "actors/transport/discord/dave/key_ratchet.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::dave {

namespace {

constexpr std::uint32_t nonce_counter_mask = (1U << generation_shift) - 1;

// A nonce made unique across generation wraps: the widened generation in
// place of the nonce's own top byte.
std::uint64_t big_nonce(std::uint32_t generation, std::uint32_t truncated_nonce) {
  return (std::uint64_t{generation} << generation_shift) | (truncated_nonce & nonce_counter_mask);
}

}  // namespace

mls::bytes sender_key_context(std::uint64_t user_id) {
  mls::bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(user_id >> (8 * i)));
  return out;
}

std::uint32_t wrapped_generation(std::uint32_t oldest, std::uint32_t low) {
  const std::uint32_t base = oldest - oldest % generation_wrap;
  return low < oldest % generation_wrap ? base + generation_wrap + low : base + low;
}

// ---- key_ratchet ----

key_ratchet::key_ratchet(mls::bytes base_secret) : next_secret_(std::move(base_secret)) {
  if (next_secret_.empty()) throw mls::error("dave: empty sender base secret");
}

void key_ratchet::advance() {
  if (next_generation_ == std::numeric_limits<std::uint32_t>::max())
    throw mls::error("dave: key ratchet exhausted");
  const auto g = next_generation_;
  keys_[g] = mls::derive_tree_secret(next_secret_, "key", g, media_key_size);
  next_secret_ = mls::derive_tree_secret(next_secret_, "secret", g, mls::hash_size);
  ++next_generation_;
}

mls::bytes key_ratchet::key(std::uint32_t generation) {
  if (auto it = keys_.find(generation); it != keys_.end()) return it->second;
  if (generation < next_generation_)
    throw mls::error("dave: key for generation " + std::to_string(generation) + " was erased");
  if (generation - next_generation_ > max_step)
    throw mls::error("dave: generation " + std::to_string(generation) + " is too far ahead");
  while (next_generation_ <= generation) advance();
  return keys_.at(generation);
}

void key_ratchet::erase(std::uint32_t generation) {
  keys_.erase(generation);
}

// ---- receive_keys ----

receive_keys::receive_keys(key_ratchet ratchet, clock::time_point now)
    : ratchet_(std::move(ratchet)), created_(now) {}

void receive_keys::expire_at(clock::time_point when) {
  expiry_ = std::min(expiry_, when);
}

std::uint32_t receive_keys::generation_of(std::uint32_t truncated_nonce) const {
  return wrapped_generation(oldest_, truncated_nonce >> generation_shift);
}

bool receive_keys::fresh(std::uint32_t generation, std::uint32_t truncated_nonce) const {
  if (!newest_nonce_) return true;
  const auto n = big_nonce(generation, truncated_nonce);
  return n > *newest_nonce_ ||
         std::find(missing_nonces_.begin(), missing_nonces_.end(), n) != missing_nonces_.end();
}

std::uint32_t receive_keys::reachable_generation(clock::time_point now) const {
  const auto lived = std::chrono::duration_cast<std::chrono::seconds>(now - created_).count();
  const auto frames =
      max_frames_per_second * static_cast<std::uint64_t>(std::max<long long>(lived, 0));
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(
      frames >> generation_shift, std::numeric_limits<std::uint32_t>::max()));
}

void receive_keys::drop_expired(clock::time_point now) {
  for (auto it = generations_.begin(); it != generations_.end();)
    it = it->second < now ? generations_.erase(it) : std::next(it);
  // Keys below the oldest generation still in use are never needed again.
  while (oldest_ < newest_ && generations_.count(oldest_) == 0) ratchet_.erase(oldest_++);
}

std::optional<mls::bytes> receive_keys::key(std::uint32_t generation, clock::time_point now) {
  drop_expired(now);
  if (generation < oldest_) return std::nullopt;
  if (generation > newest_ && generation - newest_ > max_generation_gap) return std::nullopt;
  if (generation > reachable_generation(now)) return std::nullopt;
  try {
    auto k = ratchet_.key(generation);
    // A generation first used after a newer one decrypted is a late one:
    // it gets the same short life as the other older generations.
    const auto until = generation < newest_ ? now + generation_expiry : clock::time_point::max();
    generations_.emplace(generation, until);
    return k;
  } catch (const mls::error&) {
    return std::nullopt;
  }
}

void receive_keys::accepted(std::uint32_t generation, std::uint32_t truncated_nonce,
                            clock::time_point now) {
  const auto n = big_nonce(generation, truncated_nonce);
  if (!newest_nonce_) {
    // The first frame may have overtaken the few sent just before it (UDP
    // reorders): those stay acceptable, once each, like any skipped nonce.
    for (auto m = n - std::min<std::uint64_t>(n, first_frame_reorder); m < n; ++m)
      missing_nonces_.push_back(m);
    newest_nonce_ = n;
  } else if (n > *newest_nonce_) {
    const auto skipped = std::min<std::uint64_t>(n - *newest_nonce_ - 1, max_missing_nonces);
    while (!missing_nonces_.empty() && missing_nonces_.size() + skipped > max_missing_nonces)
      missing_nonces_.pop_front();
    for (auto m = n - skipped; m < n; ++m) missing_nonces_.push_back(m);
    newest_nonce_ = n;
  } else {
    auto it = std::find(missing_nonces_.begin(), missing_nonces_.end(), n);
    if (it != missing_nonces_.end()) missing_nonces_.erase(it);
  }

  if (generation <= newest_ || generations_.count(generation) == 0) return;
  newest_ = generation;
  const auto until = now + generation_expiry;
  for (auto& [g, expiry] : generations_)
    if (g < newest_) expiry = std::min(expiry, until);
}

}  // namespace parley::dave
