#include "actors/transport/discord/dave/frame_cipher.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "actors/transport/discord/dave/leb128.hpp"

namespace parley::dave {

namespace {

struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

cipher_ctx gcm_context(const mls::bytes& key, std::uint32_t truncated_nonce, bool encrypt) {
  if (key.size() != media_key_size) throw mls::error("dave: media key is not 16 bytes");
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  const auto iv = gcm_nonce(truncated_nonce);
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), iv.data(),
                                encrypt ? 1 : 0) != 1)
    throw mls::error("dave: AES-GCM setup failed");
  return ctx;
}

int length_of(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) throw mls::error("dave: frame too large");
  return static_cast<int>(n);
}

void gcm_aad(EVP_CIPHER_CTX* ctx, const media_frame& aad) {
  int n = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), length_of(aad.size())) != 1)
    throw mls::error("dave: AES-GCM additional data failed");
}

media_frame gcm_update(EVP_CIPHER_CTX* ctx, const media_frame& in) {
  media_frame out(in.size());
  int n = 0;
  if (!in.empty() && EVP_CipherUpdate(ctx, out.data(), &n, in.data(), length_of(in.size())) != 1)
    throw mls::error("dave: AES-GCM failed");
  return out;
}

bool ranges_valid(const std::vector<unencrypted_range>& ranges, std::size_t media_size) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    const auto limit = i + 1 < ranges.size() ? ranges[i + 1].offset : media_size;
    if (r.offset > limit || r.size > limit - r.offset) return false;
  }
  return true;
}

// The media split in two: the bytes of the ranges (additional data) and
// the others (plaintext or ciphertext), each joined in frame order.
void split(const std::uint8_t* media, std::size_t size,
           const std::vector<unencrypted_range>& ranges, media_frame& in_ranges,
           media_frame& others) {
  std::size_t at = 0;
  for (const auto& r : ranges) {
    others.insert(others.end(), media + at, media + r.offset);
    in_ranges.insert(in_ranges.end(), media + r.offset, media + r.offset + r.size);
    at = r.offset + r.size;
  }
  others.insert(others.end(), media + at, media + size);
}

// The inverse of `split`.
media_frame interleave(const std::vector<unencrypted_range>& ranges, const media_frame& in_ranges,
                       const media_frame& others) {
  media_frame out;
  out.reserve(in_ranges.size() + others.size());
  auto range_at = in_ranges.begin();
  auto other_at = others.begin();
  for (const auto& r : ranges) {
    const auto gap = static_cast<std::ptrdiff_t>(r.offset - out.size());
    out.insert(out.end(), other_at, other_at + gap);
    other_at += gap;
    out.insert(out.end(), range_at, range_at + static_cast<std::ptrdiff_t>(r.size));
    range_at += static_cast<std::ptrdiff_t>(r.size);
  }
  out.insert(out.end(), other_at, others.end());
  return out;
}

}  // namespace

std::array<std::uint8_t, gcm_nonce_size> gcm_nonce(std::uint32_t truncated_nonce) {
  std::array<std::uint8_t, gcm_nonce_size> iv{};
  for (std::size_t i = 0; i < 4; ++i)
    iv[gcm_nonce_size - 4 + i] = static_cast<std::uint8_t>(truncated_nonce >> (8 * i));
  return iv;
}

std::optional<protocol_frame> parse_protocol_frame(const std::uint8_t* data, std::size_t size) {
  if (size < min_supplemental_size || data[size - 1] != magic_marker_byte ||
      data[size - 2] != magic_marker_byte)
    return std::nullopt;
  const std::size_t footer = data[size - 3];
  if (footer < min_supplemental_size || footer > size) return std::nullopt;

  protocol_frame f;
  f.media_size = size - footer;
  const std::uint8_t* at = data + f.media_size;
  std::memcpy(f.tag.data(), at, tag_size);
  at += tag_size;
  const std::uint8_t* end = data + size - 3;
  const auto nonce = read_leb128(at, end);
  if (!nonce || *nonce > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  f.nonce = static_cast<std::uint32_t>(*nonce);
  while (at != end) {
    const auto offset = read_leb128(at, end);
    if (!offset) return std::nullopt;
    const auto length = read_leb128(at, end);
    if (!length || *offset > f.media_size || *length > f.media_size) return std::nullopt;
    f.ranges.push_back({static_cast<std::size_t>(*offset), static_cast<std::size_t>(*length)});
  }
  if (!ranges_valid(f.ranges, f.media_size)) return std::nullopt;
  return f;
}

media_frame seal_frame(const mls::bytes& key, std::uint32_t truncated_nonce,
                       const std::uint8_t* data, std::size_t size,
                       const std::vector<unencrypted_range>& ranges) {
  if (!ranges_valid(ranges, size)) throw mls::error("dave: unencrypted ranges out of order");
  media_frame aad;
  media_frame plaintext;
  split(data, size, ranges, aad, plaintext);

  auto ctx = gcm_context(key, truncated_nonce, true);
  gcm_aad(ctx.get(), aad);
  const auto ciphertext = gcm_update(ctx.get(), plaintext);
  int n = 0;
  std::array<std::uint8_t, tag_size> tag{};
  std::array<std::uint8_t, 16> rest{};  // GCM writes nothing here; OpenSSL wants a buffer
  if (EVP_EncryptFinal_ex(ctx.get(), rest.data(), &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                          tag.data()) != 1)
    throw mls::error("dave: AES-GCM seal failed");

  auto out = interleave(ranges, aad, ciphertext);
  const auto media_size = out.size();
  out.insert(out.end(), tag.begin(), tag.end());
  write_leb128(truncated_nonce, out);
  for (const auto& r : ranges) {
    write_leb128(r.offset, out);
    write_leb128(r.size, out);
  }
  const auto footer = out.size() - media_size + 3;
  if (footer > 0xFF) throw mls::error("dave: too many unencrypted ranges");
  out.push_back(static_cast<std::uint8_t>(footer));
  out.push_back(magic_marker_byte);
  out.push_back(magic_marker_byte);
  return out;
}

std::optional<media_frame> open_frame(const mls::bytes& key, const protocol_frame& parsed,
                                      const std::uint8_t* data) {
  media_frame aad;
  media_frame ciphertext;
  split(data, parsed.media_size, parsed.ranges, aad, ciphertext);

  auto ctx = gcm_context(key, parsed.nonce, false);
  gcm_aad(ctx.get(), aad);
  auto plaintext = gcm_update(ctx.get(), ciphertext);
  auto tag = parsed.tag;
  int n = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size),
                          tag.data()) != 1)
    throw mls::error("dave: AES-GCM tag setup failed");
  std::array<std::uint8_t, 16> rest{};
  // The final step compares the tag in constant time.
  if (EVP_DecryptFinal_ex(ctx.get(), rest.data(), &n) != 1) {
    mls::wipe(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return interleave(parsed.ranges, aad, plaintext);
}

// ---- frame_encryptor ----

void frame_encryptor::set_key_ratchet(key_ratchet ratchet) {
  ratchet_.emplace(std::move(ratchet));
  key_.reset();
  generation_ = 0;
  nonce_ = 0;
}

void frame_encryptor::clear_key_ratchet() {
  ratchet_.reset();
  key_.reset();
  generation_ = 0;
  nonce_ = 0;
}

std::optional<media_frame> frame_encryptor::encrypt_opus(const std::uint8_t* data,
                                                         std::size_t size) {
  if (passthrough_) {
    ++stats_.passthroughs;
    return media_frame(data, data + size);
  }
  if (!ratchet_) {
    ++stats_.failures;
    return std::nullopt;
  }
  try {
    const auto nonce = nonce_ + 1;  // wraps after 2^32 frames; the generation keeps counting
    const auto generation = wrapped_generation(generation_, nonce >> generation_shift);
    if (!key_ || generation != generation_) {
      key_ = ratchet_->key(generation);
      // A sender never needs an older key again.
      ratchet_->erase(generation);
      generation_ = generation;
    }
    auto out = seal_frame(*key_, nonce, data, size);
    nonce_ = nonce;
    ++stats_.encrypted;
    return out;
  } catch (const mls::error&) {
    ++stats_.failures;
    return std::nullopt;
  }
}

// ---- frame_decryptor ----

const char* to_string(decrypt_status s) {
  switch (s) {
    case decrypt_status::decrypted:
      return "decrypted";
    case decrypt_status::passthrough:
      return "passed through";
    case decrypt_status::silence:
      return "silence";
    case decrypt_status::unencrypted:
      return "not encrypted and passthrough is off";
    case decrypt_status::replayed:
      return "nonce already used";
    case decrypt_status::no_key:
      return "no key for the frame's generation";
    case decrypt_status::auth_failed:
      return "authentication failed";
  }
  return "unknown";
}

void frame_decryptor::transition_to_key_ratchet(key_ratchet ratchet, clock::duration keep_old,
                                                clock::time_point now) {
  expire_key_ratchets(keep_old, now);
  ratchets_.emplace_back(std::move(ratchet), now);
  while (ratchets_.size() > max_ratchets) ratchets_.pop_front();
}

void frame_decryptor::expire_key_ratchets(clock::duration keep_old, clock::time_point now) {
  for (auto& r : ratchets_) r.expire_at(now + keep_old);
}

void frame_decryptor::set_passthrough(bool allowed, clock::duration expiry, clock::time_point now) {
  passthrough_until_ =
      allowed ? clock::time_point::max() : std::min(passthrough_until_, now + expiry);
}

decrypt_result frame_decryptor::refuse(decrypt_status why) {
  ++stats_.failures;
  if (why == decrypt_status::replayed) ++stats_.replays;
  if (why == decrypt_status::no_key) ++stats_.missing_keys;
  if (why == decrypt_status::auth_failed) ++stats_.auth_failures;
  return {why, {}};
}

decrypt_status frame_decryptor::try_keys(receive_keys& keys, const protocol_frame& parsed,
                                         const std::uint8_t* data, clock::time_point now,
                                         media_frame& out) {
  const auto generation = keys.generation_of(parsed.nonce);
  if (!keys.fresh(generation, parsed.nonce)) return decrypt_status::replayed;
  const auto key = keys.key(generation, now);
  if (!key) return decrypt_status::no_key;
  auto media = open_frame(*key, parsed, data);
  if (!media) return decrypt_status::auth_failed;
  keys.accepted(generation, parsed.nonce, now);
  out = std::move(*media);
  return decrypt_status::decrypted;
}

decrypt_result frame_decryptor::decrypt(const std::uint8_t* data, std::size_t size,
                                        clock::time_point now) {
  if (size == opus_silence.size() && std::equal(opus_silence.begin(), opus_silence.end(), data)) {
    ++stats_.silences;
    return {decrypt_status::silence, media_frame(data, data + size)};
  }
  while (!ratchets_.empty() && ratchets_.front().expired(now)) ratchets_.pop_front();

  const auto parsed = parse_protocol_frame(data, size);
  if (!parsed) {
    if (!passthrough_allowed(now)) return refuse(decrypt_status::unencrypted);
    ++stats_.passthroughs;
    return {decrypt_status::passthrough, media_frame(data, data + size)};
  }

  bool replayed = false;
  bool forged = false;
  // The newest epoch first: after a transition most frames use it.
  for (auto it = ratchets_.rbegin(); it != ratchets_.rend(); ++it) {
    decrypt_result result{decrypt_status::decrypted, {}};
    const auto status = try_keys(*it, *parsed, data, now, result.frame);
    if (status == decrypt_status::decrypted) {
      ++stats_.decrypted;
      return result;
    }
    replayed = replayed || status == decrypt_status::replayed;
    forged = forged || status == decrypt_status::auth_failed;
  }
  if (replayed) return refuse(decrypt_status::replayed);
  return refuse(forged ? decrypt_status::auth_failed : decrypt_status::no_key);
}

}  // namespace parley::dave
