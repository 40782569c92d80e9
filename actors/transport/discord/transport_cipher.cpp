#include "actors/transport/discord/transport_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>

namespace parley::discord {

namespace {

void put_nonce(bytes& out, std::uint32_t nonce) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(nonce >> shift));
}

template <std::size_t N>
std::array<std::uint8_t, N> padded_nonce(std::uint32_t nonce) {
  std::array<std::uint8_t, N> n{};
  n[0] = static_cast<std::uint8_t>(nonce >> 24);
  n[1] = static_cast<std::uint8_t>(nonce >> 16);
  n[2] = static_cast<std::uint8_t>(nonce >> 8);
  n[3] = static_cast<std::uint8_t>(nonce);
  return n;
}

struct evp_ctx {
  EVP_CIPHER_CTX* p = EVP_CIPHER_CTX_new();
  evp_ctx() = default;
  evp_ctx(const evp_ctx&) = delete;
  evp_ctx& operator=(const evp_ctx&) = delete;
  ~evp_ctx() { EVP_CIPHER_CTX_free(p); }
};

int as_int(std::size_t n) {
  return static_cast<int>(n);
}

class aes_gcm_cipher final : public transport_cipher {
 public:
  explicit aes_gcm_cipher(const secret_key& key) : key_(key) {}
  aes_gcm_cipher(const aes_gcm_cipher&) = delete;
  aes_gcm_cipher& operator=(const aes_gcm_cipher&) = delete;
  ~aes_gcm_cipher() override { OPENSSL_cleanse(key_.data(), key_.size()); }

  bytes seal(const bytes& header, const bytes& payload, std::uint32_t nonce) override {
    const auto iv = padded_nonce<12>(nonce);
    bytes out = header;
    out.resize(header.size() + payload.size() + aead_tag_size);
    evp_ctx c;
    int n = 0;
    int ok = EVP_EncryptInit_ex(c.p, EVP_aes_256_gcm(), nullptr, key_.data(), iv.data());
    ok &= EVP_EncryptUpdate(c.p, nullptr, &n, header.data(), as_int(header.size()));
    ok &= EVP_EncryptUpdate(c.p, out.data() + header.size(), &n, payload.data(),
                            as_int(payload.size()));
    ok &= EVP_EncryptFinal_ex(c.p, out.data() + header.size() + n, &n);
    ok &= EVP_CIPHER_CTX_ctrl(c.p, EVP_CTRL_GCM_GET_TAG, as_int(aead_tag_size),
                              out.data() + header.size() + payload.size());
    if (ok != 1) return {};
    put_nonce(out, nonce);
    return out;
  }

  std::optional<bytes> open(const rtp_parts& p) override {
    const auto iv = padded_nonce<12>(p.nonce);
    const std::size_t plain_size = p.sealed_size - aead_tag_size;
    bytes plain(plain_size);
    bytes tag(p.sealed + plain_size, p.sealed + p.sealed_size);
    evp_ctx c;
    int n = 0;
    int ok = EVP_DecryptInit_ex(c.p, EVP_aes_256_gcm(), nullptr, key_.data(), iv.data());
    ok &= EVP_DecryptUpdate(c.p, nullptr, &n, p.aad, as_int(p.aad_size));
    ok &= EVP_DecryptUpdate(c.p, plain.data(), &n, p.sealed, as_int(plain_size));
    ok &= EVP_CIPHER_CTX_ctrl(c.p, EVP_CTRL_GCM_SET_TAG, as_int(aead_tag_size), tag.data());
    if (ok != 1 || EVP_DecryptFinal_ex(c.p, plain.data() + n, &n) != 1) return std::nullopt;
    return plain;
  }

  const char* mode() const override { return aes_gcm_mode; }

 private:
  secret_key key_;
};

class xchacha_cipher final : public transport_cipher {
 public:
  explicit xchacha_cipher(const secret_key& key) : key_(key) {}
  xchacha_cipher(const xchacha_cipher&) = delete;
  xchacha_cipher& operator=(const xchacha_cipher&) = delete;
  ~xchacha_cipher() override { sodium_memzero(key_.data(), key_.size()); }

  bytes seal(const bytes& header, const bytes& payload, std::uint32_t nonce) override {
    const auto n = padded_nonce<crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>(nonce);
    bytes out = header;
    out.resize(header.size() + payload.size() + aead_tag_size);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + header.size(), &written, payload.data(),
                                               payload.size(), header.data(), header.size(),
                                               nullptr, n.data(), key_.data());
    put_nonce(out, nonce);
    return out;
  }

  std::optional<bytes> open(const rtp_parts& p) override {
    const auto n = padded_nonce<crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>(p.nonce);
    bytes plain(p.sealed_size - aead_tag_size);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &written, nullptr, p.sealed,
                                                   p.sealed_size, p.aad, p.aad_size, n.data(),
                                                   key_.data()) != 0)
      return std::nullopt;
    return plain;
  }

  const char* mode() const override { return xchacha_mode; }

 private:
  secret_key key_;
};

}  // namespace

std::optional<std::string> choose_mode(const std::vector<std::string>& offered) {
  for (const char* m : {aes_gcm_mode, xchacha_mode})
    if (std::find(offered.begin(), offered.end(), m) != offered.end()) return std::string(m);
  return std::nullopt;
}

std::unique_ptr<transport_cipher> make_cipher(const std::string& mode, const secret_key& key) {
  if (mode == aes_gcm_mode) return std::make_unique<aes_gcm_cipher>(key);
  if (mode == xchacha_mode && sodium_init() >= 0) return std::make_unique<xchacha_cipher>(key);
  return nullptr;
}

std::optional<bytes> open_voice_packet(transport_cipher& cipher, const std::uint8_t* data,
                                       std::size_t size, rtp_header* header, std::string* error) {
  const auto parts = split_rtp(data, size, error);
  if (!parts) return std::nullopt;
  if (header != nullptr) *header = parts->header;
  auto plain = cipher.open(*parts);
  if (!plain) {
    if (error != nullptr) *error = "does not decrypt with the session key";
    return std::nullopt;
  }
  auto opus = strip_extension(parts->header, std::move(*plain));
  if (!opus && error != nullptr) *error = "extension longer than the packet";
  return opus;
}

}  // namespace parley::discord
