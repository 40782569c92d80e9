#pragma once
// Private to crypto.cpp, ec_key.cpp and hpke.cpp: owning OpenSSL handles
// and the P-256 key conversions the signature and HPKE code share.

#include <cstdint>
#include <memory>
#include <string>

#include <openssl/evp.h>

#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::mls::detail {

constexpr std::size_t scalar_size = 32;  // P-256 private key, big-endian
constexpr std::size_t point_size = 65;   // 0x04 || x || y

struct pkey_deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

struct pkey_ctx_deleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_deleter>;

// Throws mls::error with `what` and OpenSSL's reason, and empties OpenSSL's
// error queue so a later failure does not report this one.
[[noreturn]] void fail(const std::string& what);

// A non-null pointer for OpenSSL even when `b` is empty: some OpenSSL calls
// treat a null buffer as "not given" rather than "zero length".
const std::uint8_t* data_of(const bytes& b);

// The scalar must be 32 bytes in [1, n-1]; the key carries its public point.
pkey_ptr private_key_from(const bytes& scalar);
// The point must be a 65-byte uncompressed point on P-256.
pkey_ptr public_key_from(const bytes& point);
// A fresh random key pair as (scalar, point).
void generate_p256(bytes& scalar, bytes& point);
bytes public_point_of(const bytes& scalar);
// The P-256 ECDH shared secret: the x coordinate, 32 bytes.
bytes ecdh(const bytes& private_scalar, const bytes& peer_point);
// True when 0 < scalar < n, read as a 32-byte big-endian integer.
bool valid_scalar(const bytes& scalar);

// RFC 9420 §5.2 RefHash with the label as given: Hash(RefHashInput{label,
// value}). ref_hash() adds the "MLS 1.0 " prefix every MLS caller needs.
bytes raw_ref_hash(const bytes& label, const bytes& value);

// hpke_seal with a given ephemeral key pair instead of a fresh one: the
// deterministic core of Encap, which RFC 9180's test vectors check.
hpke_ciphertext hpke_seal_with(const hpke_key_pair& ephemeral, const bytes& public_key,
                               const bytes& info, const bytes& aad, const bytes& plaintext);

}  // namespace parley::mls::detail
