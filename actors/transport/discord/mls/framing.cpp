#include "actors/transport/discord/mls/framing.hpp"

#include <string>

namespace parley::mls {

void sender::encode(tls_writer& w) const {
  w.u8(static_cast<std::uint8_t>(type));
  switch (type) {
    case sender_type::member:
    case sender_type::external:
      w.u32(index);
      break;
    case sender_type::new_member_proposal:
    case sender_type::new_member_commit:
      break;
    default:
      throw error("sender: unknown type");
  }
}

sender sender::decode(tls_reader& r) {
  sender value;
  auto type = r.u8();
  if (type < 1 || type > 4) throw error("sender: unknown type " + std::to_string(type));
  value.type = static_cast<sender_type>(type);
  if (value.type == sender_type::member || value.type == sender_type::external) {
    value.index = r.u32();
  }
  return value;
}

content_type type_of(const content_body& body) {
  return static_cast<content_type>(body.index() + 1);
}

void encode_content_body(tls_writer& w, const content_body& body) {
  if (const auto* data = std::get_if<bytes>(&body)) {
    w.opaque(*data);
  } else if (const auto* p = std::get_if<proposal>(&body)) {
    p->encode(w);
  } else {
    std::get<commit>(body).encode(w);
  }
}

content_body decode_content_body(tls_reader& r, content_type type) {
  switch (type) {
    case content_type::application:
      return content_body{std::in_place_index<0>, r.opaque()};
    case content_type::proposal:
      return content_body{proposal::decode(r)};
    case content_type::commit:
      return content_body{commit::decode(r)};
  }
  throw error("content: unknown type");
}

content_type decode_content_type(tls_reader& r) {
  auto type = r.u8();
  if (type < 1 || type > 3) throw error("content: unknown type " + std::to_string(type));
  return static_cast<content_type>(type);
}

void framed_content::encode(tls_writer& w) const {
  w.opaque(group_id);
  w.u64(epoch);
  sender.encode(w);
  w.opaque(authenticated_data);
  w.u8(static_cast<std::uint8_t>(type()));
  encode_content_body(w, content);
}

framed_content framed_content::decode(tls_reader& r) {
  framed_content value;
  value.group_id = r.opaque();
  value.epoch = r.u64();
  value.sender = mls::sender::decode(r);
  value.authenticated_data = r.opaque();
  value.content = decode_content_body(r, decode_content_type(r));
  return value;
}

void framed_content_auth_data::encode(tls_writer& w) const {
  w.opaque(signature);
  if (confirmation_tag) w.opaque(*confirmation_tag);
}

framed_content_auth_data framed_content_auth_data::decode(tls_reader& r, content_type type) {
  framed_content_auth_data value;
  value.signature = r.opaque();
  if (type == content_type::commit) value.confirmation_tag = r.opaque();
  return value;
}

void framed_content_auth_data::check(content_type type) const {
  if (confirmation_tag.has_value() != (type == content_type::commit)) {
    throw error("auth data: a confirmation tag belongs to commits, and only to them");
  }
}

void authenticated_content::encode(tls_writer& w) const {
  auth.check(content.type());
  w.u16(static_cast<std::uint16_t>(wire_format));
  content.encode(w);
  auth.encode(w);
}

authenticated_content authenticated_content::decode(tls_reader& r) {
  authenticated_content value;
  auto format = r.u16();
  if (format != static_cast<std::uint16_t>(wire_format::public_message) &&
      format != static_cast<std::uint16_t>(wire_format::private_message)) {
    throw error("authenticated content: wire format " + std::to_string(format) +
                " carries no framed content");
  }
  value.wire_format = static_cast<mls::wire_format>(format);
  value.content = framed_content::decode(r);
  value.auth = framed_content_auth_data::decode(r, value.content.type());
  return value;
}

void public_message::encode(tls_writer& w) const {
  auth.check(content.type());
  const bool member = content.sender.type == sender_type::member;
  if (membership_tag.has_value() != member) {
    throw error("public message: a membership tag belongs to member senders, and only to them");
  }
  content.encode(w);
  auth.encode(w);
  if (membership_tag) w.opaque(*membership_tag);
}

public_message public_message::decode(tls_reader& r) {
  public_message value;
  value.content = framed_content::decode(r);
  value.auth = framed_content_auth_data::decode(r, value.content.type());
  if (value.content.sender.type == sender_type::member) value.membership_tag = r.opaque();
  return value;
}

void private_message::encode(tls_writer& w) const {
  w.opaque(group_id);
  w.u64(epoch);
  w.u8(static_cast<std::uint8_t>(content_type));
  w.opaque(authenticated_data);
  w.opaque(encrypted_sender_data);
  w.opaque(ciphertext);
}

private_message private_message::decode(tls_reader& r) {
  private_message value;
  value.group_id = r.opaque();
  value.epoch = r.u64();
  value.content_type = decode_content_type(r);
  value.authenticated_data = r.opaque();
  value.encrypted_sender_data = r.opaque();
  value.ciphertext = r.opaque();
  return value;
}

void mls_message::encode(tls_writer& w) const {
  if (version != protocol_version_mls10) throw error("mls message: unsupported version");
  w.u16(version);
  w.u16(static_cast<std::uint16_t>(format()));
  std::visit([&](const auto& item) { item.encode(w); }, body);
}

mls_message mls_message::decode(tls_reader& r) {
  mls_message value;
  value.version = r.u16();
  if (value.version != protocol_version_mls10) {
    throw error("mls message: unsupported version " + std::to_string(value.version));
  }
  auto format = r.u16();
  switch (static_cast<wire_format>(format)) {
    case wire_format::public_message:
      value.body = public_message::decode(r);
      break;
    case wire_format::private_message:
      value.body = private_message::decode(r);
      break;
    case wire_format::welcome:
      value.body = welcome::decode(r);
      break;
    case wire_format::group_info:
      value.body = group_info::decode(r);
      break;
    case wire_format::key_package:
      value.body = key_package::decode(r);
      break;
    default:
      throw error("mls message: unknown wire format " + std::to_string(format));
  }
  return value;
}

}  // namespace parley::mls
