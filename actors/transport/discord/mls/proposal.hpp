#pragma once
// Proposals (RFC 9420 §12.1) and PreSharedKeyID (§8.4).

#include <cstdint>
#include <variant>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/extension.hpp"
#include "actors/transport/discord/mls/key_package.hpp"
#include "actors/transport/discord/mls/leaf_node.hpp"

namespace parley::mls {

namespace psk_type {
constexpr std::uint8_t external = 1;
constexpr std::uint8_t resumption = 2;
}  // namespace psk_type

namespace resumption_psk_usage {
constexpr std::uint8_t application = 1;
constexpr std::uint8_t reinit = 2;
constexpr std::uint8_t branch = 3;
}  // namespace resumption_psk_usage

// PreSharedKeyID. C++ forbids a member named like its class, so the struct
// has a longer name and `psk_id` is an alias of it: both `psk_id` (the
// type) and `id.psk_id` (the external PSK's identifier) read as in §8.4.
struct pre_shared_key_id {
  std::uint8_t psktype = psk_type::external;
  bytes psk_id;                 // external only
  std::uint8_t usage = 0;       // resumption only
  bytes psk_group_id;           // resumption only
  std::uint64_t psk_epoch = 0;  // resumption only
  bytes psk_nonce;

  void encode(tls_writer& w) const;
  static pre_shared_key_id decode(tls_reader& r);
};
using psk_id = pre_shared_key_id;

namespace proposal_type {
constexpr std::uint16_t add = 1;
constexpr std::uint16_t update = 2;
constexpr std::uint16_t remove = 3;
constexpr std::uint16_t psk = 4;
constexpr std::uint16_t reinit = 5;
constexpr std::uint16_t external_init = 6;
constexpr std::uint16_t group_context_extensions = 7;
}  // namespace proposal_type

struct add {
  mls::key_package key_package;

  void encode(tls_writer& w) const;
  static add decode(tls_reader& r);
};

struct update {
  mls::leaf_node leaf_node;

  void encode(tls_writer& w) const;
  static update decode(tls_reader& r);
};

struct remove {
  std::uint32_t removed = 0;

  void encode(tls_writer& w) const;
  static remove decode(tls_reader& r);
};

struct pre_shared_key {
  psk_id psk;

  void encode(tls_writer& w) const;
  static pre_shared_key decode(tls_reader& r);
};

struct reinit {
  bytes group_id;
  std::uint16_t version = protocol_version_mls10;
  std::uint16_t cipher_suite = mls::cipher_suite;
  extension_list extensions;

  void encode(tls_writer& w) const;
  static reinit decode(tls_reader& r);
};

struct external_init {
  bytes kem_output;

  void encode(tls_writer& w) const;
  static external_init decode(tls_reader& r);
};

struct group_context_extensions {
  extension_list extensions;

  void encode(tls_writer& w) const;
  static group_context_extensions decode(tls_reader& r);
};

// The proposal bodies under longer names, for code that reads better so.
using add_proposal = add;
using update_proposal = update;
using remove_proposal = remove;
using pre_shared_key_proposal = pre_shared_key;
using reinit_proposal = reinit;
using external_init_proposal = external_init;
using group_context_extensions_proposal = group_context_extensions;

// Proposal: a uint16 type, then the body. Unknown types are refused (their
// bodies have no length, so they cannot be skipped).
struct proposal {
  using add = mls::add;
  using update = mls::update;
  using remove = mls::remove;
  using pre_shared_key = mls::pre_shared_key;
  using reinit = mls::reinit;
  using external_init = mls::external_init;
  using group_context_extensions = mls::group_context_extensions;

  std::variant<add, update, remove, pre_shared_key, reinit, external_init, group_context_extensions>
      value;

  std::uint16_t type() const { return static_cast<std::uint16_t>(value.index() + 1); }

  void encode(tls_writer& w) const;
  static proposal decode(tls_reader& r);
};

enum class proposal_or_ref_type : std::uint8_t { proposal = 1, reference = 2 };

// ProposalOrRef: an inline proposal, or the ProposalRef (opaque<V>) of one
// sent earlier in the epoch.
struct proposal_or_ref {
  std::variant<proposal, bytes> value;

  const proposal* inline_proposal() const { return std::get_if<proposal>(&value); }
  const bytes* ref() const { return std::get_if<bytes>(&value); }

  void encode(tls_writer& w) const;
  static proposal_or_ref decode(tls_reader& r);
};

}  // namespace parley::mls
