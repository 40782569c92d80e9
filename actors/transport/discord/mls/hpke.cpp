// HPKE (RFC 9180) base mode for DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and
// AES-128-GCM, single shot (sequence number 0), which is all MLS uses;
// OpenSSL 3.0 has no HPKE of its own. Plus MLS's EncryptWithLabel (§5.1.3).

#include <array>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/crypto_detail.hpp"

namespace parley::mls {

namespace {

constexpr std::size_t kem_secret_size = 32;  // Nsecret
constexpr std::uint8_t mode_base = 0x00;
constexpr std::array<std::uint8_t, 5> kem_suite{'K', 'E', 'M', 0x00, 0x10};
constexpr std::array<std::uint8_t, 10> hpke_suite{'H',  'P',  'K',  'E',  0x00,
                                                  0x10, 0x00, 0x01, 0x00, 0x01};

void append(bytes& out, const std::string& s) {
  out.insert(out.end(), s.begin(), s.end());
}

template <std::size_t N>
bytes labeled_ikm(const std::array<std::uint8_t, N>& suite, const std::string& label,
                  const bytes& ikm) {
  bytes out;
  append(out, "HPKE-v1");
  out.insert(out.end(), suite.begin(), suite.end());
  append(out, label);
  out.insert(out.end(), ikm.begin(), ikm.end());
  return out;
}

// §4: LabeledExtract and LabeledExpand.
template <std::size_t N>
bytes labeled_extract(const std::array<std::uint8_t, N>& suite, const bytes& salt,
                      const std::string& label, const bytes& ikm) {
  return hkdf_extract(salt, labeled_ikm(suite, label, ikm));
}

template <std::size_t N>
bytes labeled_expand(const std::array<std::uint8_t, N>& suite, const bytes& prk,
                     const std::string& label, const bytes& info, std::size_t size) {
  bytes labeled{static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
  const auto rest = labeled_ikm(suite, label, info);
  labeled.insert(labeled.end(), rest.begin(), rest.end());
  return hkdf_expand(prk, labeled, size);
}

// §4.1: the KEM shared secret from the DH output and enc || pkRm.
bytes extract_and_expand(const bytes& dh, const bytes& enc, const bytes& recipient) {
  const auto prk = labeled_extract(kem_suite, {}, "eae_prk", dh);
  bytes context = enc;
  context.insert(context.end(), recipient.begin(), recipient.end());
  return labeled_expand(kem_suite, prk, "shared_secret", context, kem_secret_size);
}

struct aead_context {
  bytes key;
  bytes nonce;
};

// §5.1 KeySchedule for mode_base with no PSK; only the key and the base
// nonce are needed, as each context seals or opens exactly once.
aead_context key_schedule(const bytes& shared_secret, const bytes& info) {
  const auto psk_id_hash = labeled_extract(hpke_suite, {}, "psk_id_hash", {});
  const auto info_hash = labeled_extract(hpke_suite, {}, "info_hash", info);
  bytes context{mode_base};
  context.insert(context.end(), psk_id_hash.begin(), psk_id_hash.end());
  context.insert(context.end(), info_hash.begin(), info_hash.end());
  const auto secret = labeled_extract(hpke_suite, shared_secret, "secret", {});
  return {labeled_expand(hpke_suite, secret, "key", context, aead_key_size),
          labeled_expand(hpke_suite, secret, "base_nonce", context, aead_nonce_size)};
}

bytes encrypt_context(const std::string& label, const bytes& context) {
  const std::string full = "MLS 1.0 " + label;
  tls_writer w;
  w.opaque(bytes(full.begin(), full.end()));
  w.opaque(context);
  return w.take();
}

}  // namespace

hpke_key_pair generate_hpke_key() {
  hpke_key_pair pair;
  detail::generate_p256(pair.private_key, pair.public_key);
  return pair;
}

hpke_key_pair derive_hpke_key(const bytes& ikm) {
  // §7.1.3: rejection sampling; for P-256 the bitmask is 0xff, so every
  // candidate is used whole.
  const auto prk = labeled_extract(kem_suite, {}, "dkp_prk", ikm);
  for (unsigned counter = 0; counter <= 255; ++counter) {
    bytes candidate =
        labeled_expand(kem_suite, prk, "candidate", bytes{static_cast<std::uint8_t>(counter)},
                       detail::scalar_size);
    candidate[0] &= 0xff;
    if (detail::valid_scalar(candidate)) {
      auto public_key = detail::public_point_of(candidate);
      return {std::move(candidate), std::move(public_key)};
    }
  }
  throw error("HPKE DeriveKeyPair: no valid candidate");
}

bytes hpke_public_key(const bytes& private_key) {
  return detail::public_point_of(private_key);
}

hpke_ciphertext detail::hpke_seal_with(const hpke_key_pair& ephemeral, const bytes& public_key,
                                       const bytes& info, const bytes& aad,
                                       const bytes& plaintext) {
  const auto dh = detail::ecdh(ephemeral.private_key, public_key);
  const auto shared = extract_and_expand(dh, ephemeral.public_key, public_key);
  const auto ctx = key_schedule(shared, info);
  return {ephemeral.public_key, aead_seal(ctx.key, ctx.nonce, aad, plaintext)};
}

hpke_ciphertext hpke_seal(const bytes& public_key, const bytes& info, const bytes& aad,
                          const bytes& plaintext) {
  // Checks the recipient's key before a key pair is generated for it.
  detail::public_key_from(public_key);
  return detail::hpke_seal_with(generate_hpke_key(), public_key, info, aad, plaintext);
}

bytes hpke_open(const bytes& private_key, const bytes& kem_output, const bytes& info,
                const bytes& aad, const bytes& ciphertext) {
  const auto dh = detail::ecdh(private_key, kem_output);
  const auto shared = extract_and_expand(dh, kem_output, detail::public_point_of(private_key));
  const auto ctx = key_schedule(shared, info);
  return aead_open(ctx.key, ctx.nonce, aad, ciphertext);
}

hpke_ciphertext encrypt_with_label(const bytes& public_key, const std::string& label,
                                   const bytes& context, const bytes& plaintext) {
  return hpke_seal(public_key, encrypt_context(label, context), {}, plaintext);
}

bytes decrypt_with_label(const bytes& private_key, const std::string& label, const bytes& context,
                         const bytes& kem_output, const bytes& ciphertext) {
  return hpke_open(private_key, kem_output, encrypt_context(label, context), {}, ciphertext);
}

}  // namespace parley::mls
