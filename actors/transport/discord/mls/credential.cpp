#include "actors/transport/discord/mls/credential.hpp"

#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

void credential::encode(tls_writer& w) const {
  w.u16(type);
  w.opaque(identity);
}

credential credential::decode(tls_reader& r) {
  credential value;
  value.type = r.u16();
  value.identity = r.opaque();
  if (value.type == credential_type::x509) {
    // The body is `Certificate certificates<V>`: check its items parse.
    tls_reader certificates(value.identity);
    while (!certificates.empty()) certificates.opaque();
  }
  return value;
}

void capabilities::encode(tls_writer& w) const {
  encode_u16_vector(w, versions);
  encode_u16_vector(w, cipher_suites);
  encode_u16_vector(w, extensions);
  encode_u16_vector(w, proposals);
  encode_u16_vector(w, credentials);
}

capabilities capabilities::decode(tls_reader& r) {
  capabilities value;
  value.versions = decode_u16_vector(r);
  value.cipher_suites = decode_u16_vector(r);
  value.extensions = decode_u16_vector(r);
  value.proposals = decode_u16_vector(r);
  value.credentials = decode_u16_vector(r);
  return value;
}

void lifetime::encode(tls_writer& w) const {
  w.u64(not_before);
  w.u64(not_after);
}

lifetime lifetime::decode(tls_reader& r) {
  lifetime value;
  value.not_before = r.u64();
  value.not_after = r.u64();
  return value;
}

void external_sender::encode(tls_writer& w) const {
  w.opaque(signature_key);
  credential.encode(w);
}

external_sender external_sender::decode(tls_reader& r) {
  external_sender value;
  value.signature_key = r.opaque();
  value.credential = mls::credential::decode(r);
  return value;
}

void encode_external_senders(tls_writer& w, const std::vector<external_sender>& list) {
  encode_vector(w, list);
}

std::vector<external_sender> decode_external_senders(tls_reader& r) {
  return decode_vector<external_sender>(r);
}

}  // namespace parley::mls
