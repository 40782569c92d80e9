// Suite 2's symmetric primitives, MLS's labelled derivations and ECDSA
// signatures. HPKE is in hpke.cpp, the P-256 key handling in ec_key.cpp.

#include "actors/transport/discord/mls/crypto.hpp"

#include <array>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "actors/transport/discord/mls/crypto_detail.hpp"

namespace parley::mls {

using detail::data_of;
using detail::fail;

namespace {

constexpr std::size_t aead_tag_size = 16;
const char* const label_prefix = "MLS 1.0 ";

struct kdf_deleter {
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
};
struct kdf_ctx_deleter {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};
struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using kdf_ptr = std::unique_ptr<EVP_KDF, kdf_deleter>;
using kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, kdf_ctx_deleter>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

bytes label_bytes(const std::string& label) {
  const std::string full = label_prefix + label;
  return bytes(full.begin(), full.end());
}

// One HKDF step (extract-only or expand-only) through EVP_KDF.
bytes hkdf(int mode, const bytes& key, const bytes* salt, const bytes* info, std::size_t size) {
  kdf_ptr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) fail("HKDF: not available");
  kdf_ctx_ptr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) fail("HKDF: context");
  std::array<OSSL_PARAM, 6> params{};
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(data_of(key)), key.size());
  if (salt != nullptr && !salt->empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt->data()), salt->size());
  }
  if (info != nullptr && !info->empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info->data()), info->size());
  }
  params[n] = OSSL_PARAM_construct_end();
  bytes out(size);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) fail("HKDF: derive");
  return out;
}

void check_size(const bytes& b, std::size_t size, const char* what) {
  if (b.size() != size) {
    throw error(std::string(what) + ": expected " + std::to_string(size) + " bytes, got " +
                std::to_string(b.size()));
  }
}

cipher_ctx_ptr gcm_context(const bytes& key, const bytes& nonce, bool encrypt) {
  check_size(key, aead_key_size, "AES-128-GCM key");
  check_size(nonce, aead_nonce_size, "AES-128-GCM nonce");
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), nonce.data(),
                                encrypt ? 1 : 0) != 1) {
    fail("AES-128-GCM: init");
  }
  return ctx;
}

// Feeds `in` (AAD when `out` is null) unless it is empty: an empty update
// is a no-op that some OpenSSL paths treat as finalisation.
void gcm_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, const bytes& in) {
  if (in.empty()) return;
  int n = 0;
  if (EVP_CipherUpdate(ctx, out, &n, in.data(), static_cast<int>(in.size())) != 1 ||
      (out != nullptr && static_cast<std::size_t>(n) != in.size())) {
    fail("AES-128-GCM: update");
  }
}

bytes sign_content(const std::string& label, const bytes& content) {
  tls_writer w;
  w.opaque(label_bytes(label));
  w.opaque(content);
  return w.take();
}

}  // namespace

bytes random_bytes(std::size_t size) {
  bytes out(size);
  if (size > 0 && RAND_bytes(out.data(), static_cast<int>(size)) != 1) fail("random bytes");
  return out;
}

bool equal_ct(const bytes& a, const bytes& b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bytes hash(const bytes& data) {
  bytes out(hash_size);
  unsigned int n = 0;
  if (EVP_Digest(data_of(data), data.size(), out.data(), &n, EVP_sha256(), nullptr) != 1 ||
      n != hash_size) {
    fail("SHA-256");
  }
  return out;
}

bytes mac(const bytes& key, const bytes& data) {
  bytes out(hash_size);
  std::size_t n = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, data_of(key), key.size(),
                data_of(data), data.size(), out.data(), out.size(), &n) == nullptr ||
      n != hash_size) {
    fail("HMAC-SHA256");
  }
  return out;
}

bytes hkdf_extract(const bytes& salt, const bytes& ikm) {
  return hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, &salt, nullptr, hash_size);
}

bytes hkdf_expand(const bytes& prk, const bytes& info, std::size_t size) {
  if (size == 0) return {};
  if (size > 255 * hash_size) throw error("HKDF-Expand: output too long");
  return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, nullptr, &info, size);
}

bytes expand_with_label(const bytes& secret, const std::string& label, const bytes& context,
                        std::size_t size) {
  if (size > 0xffff) throw error("ExpandWithLabel: length does not fit uint16");
  tls_writer w;
  w.u16(static_cast<std::uint16_t>(size));
  w.opaque(label_bytes(label));
  w.opaque(context);
  return hkdf_expand(secret, w.data(), size);
}

bytes derive_secret(const bytes& secret, const std::string& label) {
  return expand_with_label(secret, label, {}, hash_size);
}

bytes derive_tree_secret(const bytes& secret, const std::string& label, std::uint32_t generation,
                         std::size_t size) {
  tls_writer w;
  w.u32(generation);
  return expand_with_label(secret, label, w.data(), size);
}

bytes detail::raw_ref_hash(const bytes& label, const bytes& value) {
  tls_writer w;
  w.opaque(label);
  w.opaque(value);
  return hash(w.data());
}

bytes ref_hash(const std::string& label, const bytes& value) {
  return detail::raw_ref_hash(label_bytes(label), value);
}

bytes aead_seal(const bytes& key, const bytes& nonce, const bytes& aad, const bytes& plaintext) {
  auto ctx = gcm_context(key, nonce, true);
  gcm_update(ctx.get(), nullptr, aad);
  bytes out(plaintext.size() + aead_tag_size);
  gcm_update(ctx.get(), out.data(), plaintext);
  int n = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + plaintext.size(), &n) != 1 || n != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, aead_tag_size,
                          out.data() + plaintext.size()) != 1) {
    fail("AES-128-GCM: seal");
  }
  return out;
}

bytes aead_open(const bytes& key, const bytes& nonce, const bytes& aad, const bytes& ciphertext) {
  if (ciphertext.size() < aead_tag_size) throw error("AES-128-GCM: ciphertext shorter than tag");
  auto ctx = gcm_context(key, nonce, false);
  const std::size_t size = ciphertext.size() - aead_tag_size;
  bytes tag(ciphertext.begin() + static_cast<std::ptrdiff_t>(size), ciphertext.end());
  bytes body(ciphertext.begin(), ciphertext.begin() + static_cast<std::ptrdiff_t>(size));
  gcm_update(ctx.get(), nullptr, aad);
  bytes out(size);
  gcm_update(ctx.get(), out.data(), body);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, aead_tag_size, tag.data()) != 1) {
    fail("AES-128-GCM: tag");
  }
  int n = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + size, &n) != 1) {
    ERR_clear_error();
    throw error("AES-128-GCM: authentication failed");
  }
  return out;
}

signature_key_pair generate_signature_key() {
  signature_key_pair pair;
  detail::generate_p256(pair.private_key, pair.public_key);
  return pair;
}

bytes signature_public_key(const bytes& private_key) {
  return detail::public_point_of(private_key);
}

bytes sign_with_label(const bytes& private_key, const std::string& label, const bytes& content) {
  auto key = detail::private_key_from(private_key);
  const auto tbs = sign_content(label, content);
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.get(), nullptr) !=
          1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, tbs.data(), tbs.size()) != 1) {
    fail("ECDSA: sign setup");
  }
  bytes signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, tbs.data(), tbs.size()) != 1) {
    fail("ECDSA: sign");
  }
  signature.resize(size);
  return signature;
}

bool verify_with_label(const bytes& public_key, const std::string& label, const bytes& content,
                       const bytes& signature) {
  auto key = detail::public_key_from(public_key);
  const auto tbs = sign_content(label, content);
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.get(),
                                      nullptr) != 1) {
    fail("ECDSA: verify setup");
  }
  // A malformed DER signature is a failed verification, not an error.
  const bool ok = EVP_DigestVerify(ctx.get(), data_of(signature), signature.size(), tbs.data(),
                                   tbs.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace parley::mls
