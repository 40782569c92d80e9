#include "actors/transport/discord/mls/proposal.hpp"

#include <string>

#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

void pre_shared_key_id::encode(tls_writer& w) const {
  w.u8(psktype);
  if (psktype == psk_type::external) {
    w.opaque(psk_id);
  } else if (psktype == psk_type::resumption) {
    w.u8(usage);
    w.opaque(psk_group_id);
    w.u64(psk_epoch);
  } else {
    throw error("psk id: unknown type " + std::to_string(psktype));
  }
  w.opaque(psk_nonce);
}

pre_shared_key_id pre_shared_key_id::decode(tls_reader& r) {
  pre_shared_key_id value;
  value.psktype = r.u8();
  if (value.psktype == psk_type::external) {
    value.psk_id = r.opaque();
  } else if (value.psktype == psk_type::resumption) {
    value.usage = r.u8();
    if (value.usage < resumption_psk_usage::application ||
        value.usage > resumption_psk_usage::branch) {
      throw error("psk id: unknown resumption usage " + std::to_string(value.usage));
    }
    value.psk_group_id = r.opaque();
    value.psk_epoch = r.u64();
  } else {
    throw error("psk id: unknown type " + std::to_string(value.psktype));
  }
  value.psk_nonce = r.opaque();
  return value;
}

void add::encode(tls_writer& w) const {
  key_package.encode(w);
}
add add::decode(tls_reader& r) {
  return add{mls::key_package::decode(r)};
}

void update::encode(tls_writer& w) const {
  leaf_node.encode(w);
}
update update::decode(tls_reader& r) {
  return update{mls::leaf_node::decode(r)};
}

void remove::encode(tls_writer& w) const {
  w.u32(removed);
}
remove remove::decode(tls_reader& r) {
  return remove{r.u32()};
}

void pre_shared_key::encode(tls_writer& w) const {
  psk.encode(w);
}
pre_shared_key pre_shared_key::decode(tls_reader& r) {
  return pre_shared_key{pre_shared_key_id::decode(r)};
}

void reinit::encode(tls_writer& w) const {
  w.opaque(group_id);
  w.u16(version);
  w.u16(cipher_suite);
  encode_extensions(w, extensions);
}

reinit reinit::decode(tls_reader& r) {
  reinit value;
  value.group_id = r.opaque();
  value.version = r.u16();
  value.cipher_suite = r.u16();
  value.extensions = decode_extensions(r);
  return value;
}

void external_init::encode(tls_writer& w) const {
  w.opaque(kem_output);
}
external_init external_init::decode(tls_reader& r) {
  return external_init{r.opaque()};
}

void group_context_extensions::encode(tls_writer& w) const {
  encode_extensions(w, extensions);
}

group_context_extensions group_context_extensions::decode(tls_reader& r) {
  return group_context_extensions{decode_extensions(r)};
}

void proposal::encode(tls_writer& w) const {
  w.u16(type());
  std::visit([&](const auto& body) { body.encode(w); }, value);
}

proposal proposal::decode(tls_reader& r) {
  auto type = r.u16();
  switch (type) {
    case proposal_type::add:
      return proposal{add::decode(r)};
    case proposal_type::update:
      return proposal{update::decode(r)};
    case proposal_type::remove:
      return proposal{remove::decode(r)};
    case proposal_type::psk:
      return proposal{pre_shared_key::decode(r)};
    case proposal_type::reinit:
      return proposal{reinit::decode(r)};
    case proposal_type::external_init:
      return proposal{external_init::decode(r)};
    case proposal_type::group_context_extensions:
      return proposal{group_context_extensions::decode(r)};
    default:
      throw error("proposal: unknown type " + std::to_string(type));
  }
}

void proposal_or_ref::encode(tls_writer& w) const {
  if (const auto* p = inline_proposal()) {
    w.u8(static_cast<std::uint8_t>(proposal_or_ref_type::proposal));
    p->encode(w);
  } else {
    w.u8(static_cast<std::uint8_t>(proposal_or_ref_type::reference));
    w.opaque(*ref());
  }
}

proposal_or_ref proposal_or_ref::decode(tls_reader& r) {
  auto type = r.u8();
  if (type == static_cast<std::uint8_t>(proposal_or_ref_type::proposal)) {
    return proposal_or_ref{proposal::decode(r)};
  }
  if (type == static_cast<std::uint8_t>(proposal_or_ref_type::reference)) {
    return proposal_or_ref{r.opaque()};
  }
  throw error("proposal or ref: unknown type " + std::to_string(type));
}

}  // namespace parley::mls
