#include "actors/transport/discord/mls/message_protection.hpp"

#include <string>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

namespace {

constexpr std::size_t reuse_guard_size = 4;

void check_epoch(const bytes& group_id, std::uint64_t epoch, const group_context& context) {
  if (group_id != context.group_id) throw error("message: for another group");
  if (epoch != context.epoch) {
    throw error("message: for epoch " + std::to_string(epoch) + ", the group is at " +
                std::to_string(context.epoch));
  }
}

ratchet_kind kind_of(content_type type) {
  return type == content_type::application ? ratchet_kind::application : ratchet_kind::handshake;
}

// The content nonce XORed with the reuse guard, so that two senders who
// somehow share a generation still do not share a nonce (§6.3.1).
bytes guarded_nonce(bytes nonce, const bytes& reuse_guard) {
  for (std::size_t i = 0; i < reuse_guard_size; ++i) nonce[i] ^= reuse_guard[i];
  return nonce;
}

// PrivateContentAAD {group_id, epoch, content_type, authenticated_data}.
bytes content_aad(const bytes& group_id, std::uint64_t epoch, content_type type,
                  const bytes& authenticated_data) {
  tls_writer w;
  w.opaque(group_id);
  w.u64(epoch);
  w.u8(static_cast<std::uint8_t>(type));
  w.opaque(authenticated_data);
  return w.take();
}

// SenderDataAAD {group_id, epoch, content_type}.
bytes sender_data_aad(const bytes& group_id, std::uint64_t epoch, content_type type) {
  tls_writer w;
  w.opaque(group_id);
  w.u64(epoch);
  w.u8(static_cast<std::uint8_t>(type));
  return w.take();
}

struct sender_data {
  std::uint32_t leaf = 0;
  std::uint32_t generation = 0;
  bytes reuse_guard;
};

bytes encode_sender_data(const sender_data& s) {
  tls_writer w;
  w.u32(s.leaf);
  w.u32(s.generation);
  w.raw(s.reuse_guard);
  return w.take();
}

sender_data decode_sender_data(const bytes& data) {
  return decode_all<sender_data>(data, [](tls_reader& r) {
    sender_data s;
    s.leaf = r.u32();
    s.generation = r.u32();
    s.reuse_guard = r.raw(reuse_guard_size);
    return s;
  });
}

// PrivateMessageContent: the body, the auth data, then zero padding.
bytes encode_private_content(const authenticated_content& content, std::size_t padding) {
  tls_writer w;
  encode_content_body(w, content.content.content);
  content.auth.encode(w);
  w.raw(bytes(padding, 0));
  return w.take();
}

struct private_content {
  content_body body;
  framed_content_auth_data auth;
};

private_content decode_private_content(const bytes& plaintext, content_type type) {
  tls_reader r(plaintext);
  private_content out{decode_content_body(r, type), framed_content_auth_data::decode(r, type)};
  // Padding must be zeros; anything else is a malformed (or forged) message.
  std::uint8_t any = 0;
  for (auto b : r.raw(r.left())) any |= b;
  if (any != 0) throw error("private message: non-zero padding");
  return out;
}

void check_signature(const authenticated_content& content, const bytes& serialized_context,
                     const bytes& signature_public_key) {
  if (!verify_content(signature_public_key, content, &serialized_context)) {
    throw error("message: bad signature");
  }
}

}  // namespace

authenticated_content sign_framed_content(wire_format format, framed_content content,
                                          const bytes& signature_private_key,
                                          const group_context& context) {
  const auto serialized = encode(context);
  authenticated_content out;
  out.wire_format = format;
  out.auth.signature = sign_content(signature_private_key, format, content, &serialized);
  out.content = std::move(content);
  return out;
}

public_message protect_public(const authenticated_content& content, const group_context& context,
                              const bytes& membership_key) {
  if (content.wire_format != wire_format::public_message) {
    throw error("public message: content was signed for another wire format");
  }
  if (content.content.type() == content_type::application) {
    throw error("public message: application data must be sent encrypted");
  }
  content.auth.check(content.content.type());
  check_epoch(content.content.group_id, content.content.epoch, context);
  std::optional<bytes> tag;
  if (content.content.sender.type == sender_type::member) {
    tag = membership_tag(membership_key, content, encode(context));
  }
  return to_public_message(content, std::move(tag));
}

authenticated_content open_public(const public_message& message, const group_context& context,
                                  const bytes& membership_key, const bytes& signature_public_key) {
  check_epoch(message.content.group_id, message.content.epoch, context);
  if (message.content.type() == content_type::application) {
    throw error("public message: carries application data");
  }
  message.auth.check(message.content.type());
  const auto serialized = encode(context);
  if (message.content.sender.type == sender_type::member &&
      !verify_membership_tag(membership_key, message, serialized)) {
    throw error("public message: bad membership tag");
  }
  auto content = to_authenticated(message);
  check_signature(content, serialized, signature_public_key);
  return content;
}

private_message protect_private(const authenticated_content& content, const group_context& context,
                                secret_tree& tree, const bytes& sender_data_secret,
                                std::size_t padding) {
  const auto& framed = content.content;
  if (content.wire_format != wire_format::private_message) {
    throw error("private message: content was signed for another wire format");
  }
  if (framed.sender.type != sender_type::member) {
    throw error("private message: only members send encrypted");
  }
  const auto type = framed.type();
  content.auth.check(type);
  check_epoch(framed.group_id, framed.epoch, context);

  const auto key = tree.next(framed.sender.index, kind_of(type));
  const auto reuse_guard = random_bytes(reuse_guard_size);

  private_message out;
  out.group_id = framed.group_id;
  out.epoch = framed.epoch;
  out.content_type = type;
  out.authenticated_data = framed.authenticated_data;
  out.ciphertext = aead_seal(key.key, guarded_nonce(key.nonce, reuse_guard),
                             content_aad(out.group_id, out.epoch, type, out.authenticated_data),
                             encode_private_content(content, padding));

  const auto sd_keys = derive_sender_data_keys(sender_data_secret, out.ciphertext);
  out.encrypted_sender_data =
      aead_seal(sd_keys.key, sd_keys.nonce, sender_data_aad(out.group_id, out.epoch, type),
                encode_sender_data({framed.sender.index, key.generation, reuse_guard}));
  return out;
}

authenticated_content open_private(const private_message& message, const group_context& context,
                                   secret_tree& tree, const bytes& sender_data_secret,
                                   const leaf_signature_key& signature_key) {
  check_epoch(message.group_id, message.epoch, context);
  const auto type = message.content_type;

  const auto sd_keys = derive_sender_data_keys(sender_data_secret, message.ciphertext);
  const auto sd = decode_sender_data(
      aead_open(sd_keys.key, sd_keys.nonce, sender_data_aad(message.group_id, message.epoch, type),
                message.encrypted_sender_data));

  const auto key = tree.get(sd.leaf, kind_of(type), sd.generation);
  const auto plaintext =
      aead_open(key.key, guarded_nonce(key.nonce, sd.reuse_guard),
                content_aad(message.group_id, message.epoch, type, message.authenticated_data),
                message.ciphertext);
  auto parsed = decode_private_content(plaintext, type);

  authenticated_content out;
  out.wire_format = wire_format::private_message;
  out.content.group_id = message.group_id;
  out.content.epoch = message.epoch;
  out.content.sender = {sender_type::member, sd.leaf};
  out.content.authenticated_data = message.authenticated_data;
  out.content.content = std::move(parsed.body);
  out.auth = std::move(parsed.auth);
  check_signature(out, encode(context), signature_key(sd.leaf));
  return out;
}

}  // namespace parley::mls
