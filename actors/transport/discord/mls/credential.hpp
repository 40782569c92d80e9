#pragma once
// Credentials, capabilities and lifetimes (RFC 9420 §5.3, §7.2): the
// identity parts of a leaf node.

#include <cstdint>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/extension.hpp"

namespace parley::mls {

namespace credential_type {
constexpr std::uint16_t basic = 1;
constexpr std::uint16_t x509 = 2;
}  // namespace credential_type

// Every credential type is carried as one opaque<V> after its type: basic
// is `opaque identity<V>`, x509 is `Certificate certificates<V>` (whose
// encoded item list is kept whole in `identity`), and unknown types are
// kept opaque the same way so they round-trip unchanged.
struct credential {
  std::uint16_t type = credential_type::basic;
  bytes identity;

  void encode(tls_writer& w) const;
  static credential decode(tls_reader& r);
  bool operator==(const credential& other) const {
    return type == other.type && identity == other.identity;
  }
  bool operator!=(const credential& other) const { return !(*this == other); }
};

struct capabilities {
  std::vector<std::uint16_t> versions;
  std::vector<std::uint16_t> cipher_suites;
  std::vector<std::uint16_t> extensions;
  std::vector<std::uint16_t> proposals;
  std::vector<std::uint16_t> credentials;

  void encode(tls_writer& w) const;
  static capabilities decode(tls_reader& r);
};

struct lifetime {
  std::uint64_t not_before = 0;
  std::uint64_t not_after = 0;

  void encode(tls_writer& w) const;
  static lifetime decode(tls_reader& r);
};

// ExternalSender (§12.1.8.1), the items of the external_senders extension.
struct external_sender {
  bytes signature_key;
  mls::credential credential;

  void encode(tls_writer& w) const;
  static external_sender decode(tls_reader& r);
};

void encode_external_senders(tls_writer& w, const std::vector<external_sender>& list);
std::vector<external_sender> decode_external_senders(tls_reader& r);

}  // namespace parley::mls
