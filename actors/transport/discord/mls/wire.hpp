#pragma once
// Generic helpers for the MLS wire structs: whole-value encode/decode and
// the vector<V> / optional<T> shapes every struct is built from. Each
// struct provides `void encode(tls_writer&) const` and
// `static T decode(tls_reader&)`; these templates do the rest.

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::mls {

// ProtocolVersion mls10, the only version there is.
constexpr std::uint16_t protocol_version_mls10 = 1;

template <class T>
bytes encode(const T& value) {
  tls_writer w;
  value.encode(w);
  return w.take();
}

// The whole input must be one T: trailing bytes are refused.
template <class T>
T decode(const bytes& data) {
  return decode_all<T>(data, [](tls_reader& r) { return T::decode(r); });
}

// T items<V>.
template <class T>
void encode_vector(tls_writer& w, const std::vector<T>& items) {
  w.vector([&](tls_writer& inner) {
    for (const auto& item : items) item.encode(inner);
  });
}

template <class T>
std::vector<T> decode_vector(tls_reader& r) {
  std::vector<T> items;
  r.vector([&](tls_reader& inner) { items.push_back(T::decode(inner)); });
  return items;
}

// uint16 items<V> and uint32 items<V>.
void encode_u16_vector(tls_writer& w, const std::vector<std::uint16_t>& items);
std::vector<std::uint16_t> decode_u16_vector(tls_reader& r);
void encode_u32_vector(tls_writer& w, const std::vector<std::uint32_t>& items);
std::vector<std::uint32_t> decode_u32_vector(tls_reader& r);

// opaque items<V> where each item is itself opaque<V>.
void encode_opaque_vector(tls_writer& w, const std::vector<bytes>& items);
std::vector<bytes> decode_opaque_vector(tls_reader& r);

// optional<T>: a presence byte, then the value.
template <class T>
void encode_optional(tls_writer& w, const std::optional<T>& value) {
  w.u8(value ? 1 : 0);
  if (value) value->encode(w);
}

template <class T>
std::optional<T> decode_optional(tls_reader& r) {
  if (!r.present()) return std::nullopt;
  return T::decode(r);
}

// optional<opaque<V>>.
void encode_optional_opaque(tls_writer& w, const std::optional<bytes>& value);
std::optional<bytes> decode_optional_opaque(tls_reader& r);

// HPKECiphertext {opaque kem_output<V>; opaque ciphertext<V>;} (§5.1.3);
// the struct itself lives with the HPKE primitives in crypto.hpp.
void encode_ciphertext(tls_writer& w, const hpke_ciphertext& value);
hpke_ciphertext decode_ciphertext(tls_reader& r);

}  // namespace parley::mls
