#include "actors/transport/discord/mls/extension.hpp"

#include <string>

#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

void extension::encode(tls_writer& w) const {
  w.u16(type);
  w.opaque(data);
}

extension extension::decode(tls_reader& r) {
  extension value;
  value.type = r.u16();
  value.data = r.opaque();
  return value;
}

void encode_extensions(tls_writer& w, const extension_list& list) {
  encode_vector(w, list);
}

extension_list decode_extensions(tls_reader& r) {
  auto list = decode_vector<extension>(r);
  for (std::size_t i = 0; i < list.size(); ++i) {
    for (std::size_t j = i + 1; j < list.size(); ++j) {
      if (list[i].type == list[j].type) {
        throw error("extension " + std::to_string(list[i].type) + " appears twice");
      }
    }
  }
  return list;
}

const bytes* find_extension(const extension_list& list, std::uint16_t type) {
  for (const auto& item : list) {
    if (item.type == type) return &item.data;
  }
  return nullptr;
}

void set_extension(extension_list& list, std::uint16_t type, bytes data) {
  for (auto& item : list) {
    if (item.type == type) {
      item.data = std::move(data);
      return;
    }
  }
  list.push_back(extension{type, std::move(data)});
}

void required_capabilities::encode(tls_writer& w) const {
  encode_u16_vector(w, extension_types);
  encode_u16_vector(w, proposal_types);
  encode_u16_vector(w, credential_types);
}

required_capabilities required_capabilities::decode(tls_reader& r) {
  required_capabilities value;
  value.extension_types = decode_u16_vector(r);
  value.proposal_types = decode_u16_vector(r);
  value.credential_types = decode_u16_vector(r);
  return value;
}

void external_pub_extension::encode(tls_writer& w) const {
  w.opaque(external_pub);
}

external_pub_extension external_pub_extension::decode(tls_reader& r) {
  external_pub_extension value;
  value.external_pub = r.opaque();
  return value;
}

}  // namespace parley::mls
