#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

void encode_u16_vector(tls_writer& w, const std::vector<std::uint16_t>& items) {
  w.vector([&](tls_writer& inner) {
    for (auto item : items) inner.u16(item);
  });
}

std::vector<std::uint16_t> decode_u16_vector(tls_reader& r) {
  std::vector<std::uint16_t> items;
  r.vector([&](tls_reader& inner) { items.push_back(inner.u16()); });
  return items;
}

void encode_u32_vector(tls_writer& w, const std::vector<std::uint32_t>& items) {
  w.vector([&](tls_writer& inner) {
    for (auto item : items) inner.u32(item);
  });
}

std::vector<std::uint32_t> decode_u32_vector(tls_reader& r) {
  std::vector<std::uint32_t> items;
  r.vector([&](tls_reader& inner) { items.push_back(inner.u32()); });
  return items;
}

void encode_opaque_vector(tls_writer& w, const std::vector<bytes>& items) {
  w.vector([&](tls_writer& inner) {
    for (const auto& item : items) inner.opaque(item);
  });
}

std::vector<bytes> decode_opaque_vector(tls_reader& r) {
  std::vector<bytes> items;
  r.vector([&](tls_reader& inner) { items.push_back(inner.opaque()); });
  return items;
}

void encode_optional_opaque(tls_writer& w, const std::optional<bytes>& value) {
  w.u8(value ? 1 : 0);
  if (value) w.opaque(*value);
}

std::optional<bytes> decode_optional_opaque(tls_reader& r) {
  if (!r.present()) return std::nullopt;
  return r.opaque();
}

void encode_ciphertext(tls_writer& w, const hpke_ciphertext& value) {
  w.opaque(value.kem_output);
  w.opaque(value.ciphertext);
}

hpke_ciphertext decode_ciphertext(tls_reader& r) {
  hpke_ciphertext value;
  value.kem_output = r.opaque();
  value.ciphertext = r.opaque();
  return value;
}

}  // namespace parley::mls
