#include "actors/transport/discord/mls/psk.hpp"

#include <cstdint>
#include <limits>

#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::mls {

namespace {

// PSKLabel {PreSharedKeyID id; uint16 index; uint16 count;}.
bytes psk_label(const psk_id& id, std::uint16_t index, std::uint16_t count) {
  tls_writer w;
  id.encode(w);
  w.u16(index);
  w.u16(count);
  return w.take();
}

}  // namespace

bytes derive_psk_secret(const std::vector<psk_with_secret>& psks) {
  if (psks.size() > std::numeric_limits<std::uint16_t>::max()) {
    throw error("psk: too many pre-shared keys");
  }
  const auto count = static_cast<std::uint16_t>(psks.size());
  const bytes zero(hash_size, 0);
  bytes secret = zero;
  for (std::uint16_t i = 0; i < count; ++i) {
    const auto extracted = hkdf_extract(zero, psks[i].secret);
    const auto input =
        expand_with_label(extracted, "derived psk", psk_label(psks[i].id, i, count), hash_size);
    secret = hkdf_extract(input, secret);
  }
  return secret;
}

}  // namespace parley::mls
