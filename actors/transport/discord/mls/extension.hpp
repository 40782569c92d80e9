#pragma once
// Extensions (RFC 9420 §13): a type and opaque data. Unknown types are kept
// as they are; the typed views below parse the ones DAVE needs.

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::mls {

namespace extension_type {
constexpr std::uint16_t application_id = 1;
constexpr std::uint16_t ratchet_tree = 2;
constexpr std::uint16_t required_capabilities = 3;
constexpr std::uint16_t external_pub = 4;
constexpr std::uint16_t external_senders = 5;
}  // namespace extension_type

struct extension {
  std::uint16_t type = 0;
  bytes data;

  void encode(tls_writer& w) const;
  static extension decode(tls_reader& r);
  bool operator==(const extension& other) const { return type == other.type && data == other.data; }
};

using extension_list = std::vector<extension>;

void encode_extensions(tls_writer& w, const extension_list& list);
// Refuses a list naming the same type twice (§13.4 requires uniqueness).
extension_list decode_extensions(tls_reader& r);
// The data of the extension of `type`, or nullptr.
const bytes* find_extension(const extension_list& list, std::uint16_t type);
// Replaces the extension of that type, or appends it.
void set_extension(extension_list& list, std::uint16_t type, bytes data);

// RequiredCapabilities (§11.1).
struct required_capabilities {
  std::vector<std::uint16_t> extension_types;
  std::vector<std::uint16_t> proposal_types;
  std::vector<std::uint16_t> credential_types;

  void encode(tls_writer& w) const;
  static required_capabilities decode(tls_reader& r);
};

// ExternalPub (§12.4.3.2): the HPKE key for external commits.
struct external_pub_extension {
  bytes external_pub;

  void encode(tls_writer& w) const;
  static external_pub_extension decode(tls_reader& r);
};

}  // namespace parley::mls
