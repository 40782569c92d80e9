#include "actors/transport/discord/mls/group_context.hpp"

namespace parley::mls {

void group_context::encode(tls_writer& w) const {
  w.u16(version);
  w.u16(cipher_suite);
  w.opaque(group_id);
  w.u64(epoch);
  w.opaque(tree_hash);
  w.opaque(confirmed_transcript_hash);
  encode_extensions(w, extensions);
}

group_context group_context::decode(tls_reader& r) {
  group_context value;
  value.version = r.u16();
  value.cipher_suite = r.u16();
  value.group_id = r.opaque();
  value.epoch = r.u64();
  value.tree_hash = r.opaque();
  value.confirmed_transcript_hash = r.opaque();
  value.extensions = decode_extensions(r);
  return value;
}

}  // namespace parley::mls
