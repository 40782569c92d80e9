#pragma once
// The one cipher suite DAVE uses, MLS_128_DHKEMP256_AES128GCM_SHA256_P256
// (RFC 9420 §5.1, suite 0x0002): SHA-256, HMAC, HKDF, AES-128-GCM, ECDSA
// P-256 with SHA-256 (DER signatures) and HPKE base mode with
// DHKEM(P-256, HKDF-SHA256) (RFC 9180), all on OpenSSL 3.0's EVP
// primitives (3.0 has no HPKE of its own). Failures throw mls::error.

#include <cstddef>
#include <cstdint>
#include <string>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::mls {

constexpr std::uint16_t cipher_suite = 2;
constexpr std::size_t hash_size = 32;        // Nh
constexpr std::size_t aead_key_size = 16;    // Nk
constexpr std::size_t aead_nonce_size = 12;  // Nn

bytes random_bytes(std::size_t size);
// Constant time in the contents (CRYPTO_memcmp); sizes may differ.
bool equal_ct(const bytes& a, const bytes& b);

bytes hash(const bytes& data);
bytes mac(const bytes& key, const bytes& data);
bytes hkdf_extract(const bytes& salt, const bytes& ikm);
bytes hkdf_expand(const bytes& prk, const bytes& info, std::size_t size);

// §8: KDFLabel{length, "MLS 1.0 " + label, context}.
bytes expand_with_label(const bytes& secret, const std::string& label, const bytes& context,
                        std::size_t size);
bytes derive_secret(const bytes& secret, const std::string& label);
// §9: ExpandWithLabel(secret, label, uint32 generation, size).
bytes derive_tree_secret(const bytes& secret, const std::string& label, std::uint32_t generation,
                         std::size_t size);
// §5.2: Hash(RefHashInput{"MLS 1.0 " + label, value}).
bytes ref_hash(const std::string& label, const bytes& value);

bytes aead_seal(const bytes& key, const bytes& nonce, const bytes& aad, const bytes& plaintext);
// Throws when the tag does not verify.
bytes aead_open(const bytes& key, const bytes& nonce, const bytes& aad, const bytes& ciphertext);

// ECDSA P-256: the private key is the 32-byte scalar, the public key the
// 65-byte uncompressed point.
struct signature_key_pair {
  bytes private_key;
  bytes public_key;
};
signature_key_pair generate_signature_key();
bytes signature_public_key(const bytes& private_key);
// §5.1.2: the signature over SignContent{"MLS 1.0 " + label, content}.
bytes sign_with_label(const bytes& private_key, const std::string& label, const bytes& content);
bool verify_with_label(const bytes& public_key, const std::string& label, const bytes& content,
                       const bytes& signature);

// HPKE key pairs: private scalar (32 bytes), public uncompressed point.
struct hpke_key_pair {
  bytes private_key;
  bytes public_key;
};
hpke_key_pair generate_hpke_key();
// RFC 9180 §7.1.3 DeriveKeyPair for P-256 (rejection sampling).
hpke_key_pair derive_hpke_key(const bytes& ikm);
bytes hpke_public_key(const bytes& private_key);

struct hpke_ciphertext {
  bytes kem_output;
  bytes ciphertext;
};
// HPKE base mode, single shot.
hpke_ciphertext hpke_seal(const bytes& public_key, const bytes& info, const bytes& aad,
                          const bytes& plaintext);
bytes hpke_open(const bytes& private_key, const bytes& kem_output, const bytes& info,
                const bytes& aad, const bytes& ciphertext);

// §5.1.3: HPKE with info = EncryptContext{"MLS 1.0 " + label, context}.
hpke_ciphertext encrypt_with_label(const bytes& public_key, const std::string& label,
                                   const bytes& context, const bytes& plaintext);
bytes decrypt_with_label(const bytes& private_key, const std::string& label, const bytes& context,
                         const bytes& kem_output, const bytes& ciphertext);

}  // namespace parley::mls
