// Suite 2's primitives against the MLS working group's crypto-basics
// vectors (RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret,
// SignWithLabel, EncryptWithLabel) and RFC 9180's A.3.1 HPKE vector, plus
// the failures: a tampered signature or ciphertext, an off-curve key.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/crypto_detail.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using parley::mls::test::from_hex;
using parley::mls::test::hex_field;
using parley::mls::test::to_hex;

namespace {

bytes text(const std::string& s) {
  return bytes(s.begin(), s.end());
}

std::string str(const nlohmann::json& j, const char* key) {
  return j.at(key).get<std::string>();
}

const nlohmann::json& suite2() {
  static const auto all = test::load_vectors("crypto-basics");
  for (const auto& v : all) {
    if (v.at("cipher_suite").get<int>() == 2) return v;
  }
  throw std::runtime_error("no cipher suite 2 entry in crypto-basics");
}

// A point that is not on P-256: the generator's x with y + 1.
bytes off_curve_point() {
  auto p = signature_public_key(from_hex(std::string(63, '0') + "1"));
  p.back() ^= 0x01;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_crypto_basics)

BOOST_AUTO_TEST_CASE(ref_hash_matches_vector) {
  const auto& v = suite2().at("ref_hash");
  // The vector's label is the whole RefHashInput label; ref_hash itself
  // prefixes "MLS 1.0 ", as every MLS use of RefHash does.
  const auto value = hex_field(v, "value");
  BOOST_TEST(to_hex(detail::raw_ref_hash(text(str(v, "label")), value)) == str(v, "out"));
  BOOST_TEST(ref_hash("KeyPackage Reference", value) ==
             detail::raw_ref_hash(text("MLS 1.0 KeyPackage Reference"), value));
}

BOOST_AUTO_TEST_CASE(expand_with_label_matches_vector) {
  const auto& v = suite2().at("expand_with_label");
  const auto out = expand_with_label(hex_field(v, "secret"), str(v, "label"),
                                     hex_field(v, "context"), v.at("length").get<std::size_t>());
  BOOST_TEST(to_hex(out) == str(v, "out"));
}

BOOST_AUTO_TEST_CASE(derive_secret_matches_vector) {
  const auto& v = suite2().at("derive_secret");
  BOOST_TEST(to_hex(derive_secret(hex_field(v, "secret"), str(v, "label"))) == str(v, "out"));
}

BOOST_AUTO_TEST_CASE(derive_tree_secret_matches_vector) {
  const auto& v = suite2().at("derive_tree_secret");
  const auto out = derive_tree_secret(hex_field(v, "secret"), str(v, "label"),
                                      v.at("generation").get<std::uint32_t>(),
                                      v.at("length").get<std::size_t>());
  BOOST_TEST(to_hex(out) == str(v, "out"));
}

BOOST_AUTO_TEST_CASE(sign_with_label_matches_vector) {
  const auto& v = suite2().at("sign_with_label");
  const auto priv = hex_field(v, "priv");
  const auto pub = hex_field(v, "pub");
  const auto content = hex_field(v, "content");
  const auto label = str(v, "label");
  BOOST_TEST(to_hex(signature_public_key(priv)) == str(v, "pub"));
  BOOST_TEST(verify_with_label(pub, label, content, hex_field(v, "signature")));

  const auto fresh = sign_with_label(priv, label, content);
  BOOST_TEST(verify_with_label(pub, label, content, fresh));
  BOOST_TEST(!verify_with_label(pub, label + "x", content, fresh));
  auto other = content;
  other[0] ^= 0x01;
  BOOST_TEST(!verify_with_label(pub, label, other, fresh));
}

BOOST_AUTO_TEST_CASE(tampered_signature_fails) {
  const auto& v = suite2().at("sign_with_label");
  const auto pub = hex_field(v, "pub");
  const auto content = hex_field(v, "content");
  auto sig = hex_field(v, "signature");
  sig[sig.size() - 1] ^= 0x01;
  BOOST_TEST(!verify_with_label(pub, str(v, "label"), content, sig));
  // Not DER at all, and empty: a failed verification, not a crash.
  BOOST_TEST(!verify_with_label(pub, str(v, "label"), content, text("garbage")));
  BOOST_TEST(!verify_with_label(pub, str(v, "label"), content, bytes{}));
}

BOOST_AUTO_TEST_CASE(generated_signature_key_round_trips) {
  const auto pair = generate_signature_key();
  BOOST_TEST(pair.private_key.size() == 32u);
  BOOST_TEST(pair.public_key.size() == 65u);
  BOOST_TEST(signature_public_key(pair.private_key) == pair.public_key);
  const auto sig = sign_with_label(pair.private_key, "Test", text("hello"));
  BOOST_TEST(verify_with_label(pair.public_key, "Test", text("hello"), sig));
}

BOOST_AUTO_TEST_CASE(encrypt_with_label_matches_vector) {
  const auto& v = suite2().at("encrypt_with_label");
  const auto priv = hex_field(v, "priv");
  const auto pub = hex_field(v, "pub");
  const auto label = str(v, "label");
  const auto context = hex_field(v, "context");
  BOOST_TEST(to_hex(hpke_public_key(priv)) == str(v, "pub"));
  const auto pt = decrypt_with_label(priv, label, context, hex_field(v, "kem_output"),
                                     hex_field(v, "ciphertext"));
  BOOST_TEST(to_hex(pt) == str(v, "plaintext"));

  const auto fresh = encrypt_with_label(pub, label, context, hex_field(v, "plaintext"));
  BOOST_TEST(fresh.kem_output.size() == 65u);
  BOOST_TEST(to_hex(decrypt_with_label(priv, label, context, fresh.kem_output, fresh.ciphertext)) ==
             str(v, "plaintext"));
  BOOST_CHECK_THROW(
      decrypt_with_label(priv, label + "x", context, fresh.kem_output, fresh.ciphertext), error);
}

BOOST_AUTO_TEST_CASE(tampered_ciphertext_fails) {
  const auto& v = suite2().at("encrypt_with_label");
  const auto priv = hex_field(v, "priv");
  const auto label = str(v, "label");
  const auto context = hex_field(v, "context");
  const auto kem_output = hex_field(v, "kem_output");
  auto ct = hex_field(v, "ciphertext");
  ct[0] ^= 0x80;
  BOOST_CHECK_THROW(decrypt_with_label(priv, label, context, kem_output, ct), error);
  BOOST_CHECK_THROW(decrypt_with_label(priv, label, context, kem_output, bytes(10)), error);
  auto kem = kem_output;
  kem[10] ^= 0x01;  // almost surely off the curve; any other point fails the tag
  BOOST_CHECK_THROW(decrypt_with_label(priv, label, context, kem, hex_field(v, "ciphertext")),
                    error);
}

BOOST_AUTO_TEST_CASE(off_curve_public_keys_are_rejected) {
  const auto bad = off_curve_point();
  BOOST_CHECK_THROW(verify_with_label(bad, "Test", text("x"), bytes(70)), error);
  BOOST_CHECK_THROW(encrypt_with_label(bad, "Test", {}, text("x")), error);
  const auto priv = hex_field(suite2().at("encrypt_with_label"), "priv");
  BOOST_CHECK_THROW(decrypt_with_label(priv, "Test", {}, bad, bytes(32)), error);
  // Wrong length, compressed form, and the all-zero "point".
  auto pub = hpke_public_key(priv);
  BOOST_CHECK_THROW(encrypt_with_label(bytes(pub.begin(), pub.end() - 1), "T", {}, {}), error);
  auto compressed = bytes(pub.begin(), pub.begin() + 33);
  compressed[0] = 0x02;
  BOOST_CHECK_THROW(encrypt_with_label(compressed, "T", {}, {}), error);
  bytes zero(65);
  zero[0] = 0x04;
  BOOST_CHECK_THROW(encrypt_with_label(zero, "T", {}, {}), error);
}

BOOST_AUTO_TEST_CASE(bad_private_keys_are_rejected) {
  BOOST_CHECK_THROW(sign_with_label(bytes(32), "T", {}), error);
  BOOST_CHECK_THROW(sign_with_label(bytes(31, 1), "T", {}), error);
  // The group order n itself is out of range.
  const auto n = from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  BOOST_CHECK_THROW(hpke_public_key(n), error);
}

// RFC 9180 A.3.1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base
// mode, the first encryption (sequence number 0).
BOOST_AUTO_TEST_CASE(hpke_rfc9180_a31) {
  const auto info = from_hex("4f6465206f6e2061204772656369616e2055726e");
  const auto e =
      derive_hpke_key(from_hex("4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e"));
  BOOST_TEST(to_hex(e.private_key) ==
             "4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb");
  BOOST_TEST(to_hex(e.public_key) ==
             "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4"
             "b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4");
  const auto r =
      derive_hpke_key(from_hex("668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550"));
  BOOST_TEST(to_hex(r.private_key) ==
             "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2");
  BOOST_TEST(to_hex(r.public_key) ==
             "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8"
             "a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0");

  const auto pt = from_hex("4265617574792069732074727574682c20747275746820626561757479");
  const auto aad = from_hex("436f756e742d30");
  const std::string ct =
      "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f3951"
      "3434";
  const auto sealed = detail::hpke_seal_with(e, r.public_key, info, aad, pt);
  BOOST_TEST(to_hex(sealed.kem_output) == to_hex(e.public_key));
  BOOST_TEST(to_hex(sealed.ciphertext) == ct);
  BOOST_TEST(hpke_open(r.private_key, e.public_key, info, aad, from_hex(ct)) == pt);
}

BOOST_AUTO_TEST_CASE(hpke_round_trip) {
  const auto r = generate_hpke_key();
  BOOST_TEST(hpke_public_key(r.private_key) == r.public_key);
  const auto sealed = hpke_seal(r.public_key, text("info"), text("aad"), text("secret"));
  BOOST_TEST(hpke_open(r.private_key, sealed.kem_output, text("info"), text("aad"),
                       sealed.ciphertext) == text("secret"));
  BOOST_CHECK_THROW(
      hpke_open(r.private_key, sealed.kem_output, text("info"), text("bad"), sealed.ciphertext),
      error);
  const auto empty = hpke_seal(r.public_key, {}, {}, {});
  BOOST_TEST(hpke_open(r.private_key, empty.kem_output, {}, {}, empty.ciphertext).empty());
  // Encryption is randomised: two seals of one message differ.
  const auto again = hpke_seal(r.public_key, text("info"), text("aad"), text("secret"));
  BOOST_TEST(again.kem_output != sealed.kem_output);
}

BOOST_AUTO_TEST_CASE(symmetric_primitives) {
  // RFC 4231 test case 2 (HMAC-SHA256) and the SHA-256 of "abc".
  BOOST_TEST(to_hex(mac(text("Jefe"), text("what do ya want for nothing?"))) ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  BOOST_TEST(to_hex(hash(text("abc"))) ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Extract is HMAC(salt, ikm), also when either is empty.
  BOOST_TEST(hkdf_extract(text("salt"), text("ikm")) == mac(text("salt"), text("ikm")));
  BOOST_TEST(hkdf_extract({}, text("ikm")) == mac({}, text("ikm")));
  BOOST_TEST(hkdf_extract(text("salt"), {}) == mac(text("salt"), {}));
  BOOST_TEST(hkdf_extract({}, {}) == mac({}, {}));
  // Expand's first block is HMAC(prk, info || 0x01).
  const auto prk = hash(text("prk"));
  BOOST_TEST(hkdf_expand(prk, {}, 32) == mac(prk, bytes{1}));
  const auto block = mac(prk, text("i\x01"));
  BOOST_TEST(hkdf_expand(prk, text("i"), 16) == bytes(block.begin(), block.begin() + 16));

  const auto key = random_bytes(16);
  const auto nonce = random_bytes(12);
  const auto sealed = aead_seal(key, nonce, text("aad"), text("plain"));
  BOOST_TEST(sealed.size() == 5u + 16u);
  BOOST_TEST(aead_open(key, nonce, text("aad"), sealed) == text("plain"));
  BOOST_CHECK_THROW(aead_open(key, nonce, text("aaX"), sealed), error);
  BOOST_CHECK_THROW(aead_open(key, nonce, {}, bytes(15)), error);
  BOOST_CHECK_THROW(aead_seal(bytes(15), nonce, {}, {}), error);
  BOOST_TEST(aead_open(key, nonce, {}, aead_seal(key, nonce, {}, {})).empty());

  BOOST_TEST(equal_ct(text("abc"), text("abc")));
  BOOST_TEST(!equal_ct(text("abc"), text("abd")));
  BOOST_TEST(!equal_ct(text("abc"), text("ab")));
  BOOST_TEST(equal_ct({}, {}));
}

BOOST_AUTO_TEST_SUITE_END()
