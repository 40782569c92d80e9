// The encodings framing signs, MACs and hashes (RFC 9420 §6.1, §6.2,
// §5.2, §8.2), kept apart from the plain wire structs.
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

namespace {

const char* const content_sign_label = "FramedContentTBS";

bool has_group_context(sender_type type) {
  return type == sender_type::member || type == sender_type::new_member_commit;
}

void write_content_tbs(tls_writer& w, wire_format format, const framed_content& content,
                       const bytes* serialized_group_context) {
  w.u16(protocol_version_mls10);
  w.u16(static_cast<std::uint16_t>(format));
  content.encode(w);
  if (has_group_context(content.sender.type)) {
    if (serialized_group_context == nullptr) {
      throw error("content tbs: this sender's content is bound to the group context");
    }
    w.raw(*serialized_group_context);
  }
}

}  // namespace

bytes content_tbs(wire_format format, const framed_content& content,
                  const bytes* serialized_group_context) {
  tls_writer w;
  write_content_tbs(w, format, content, serialized_group_context);
  return w.take();
}

bytes sign_content(const bytes& signature_private_key, wire_format format,
                   const framed_content& content, const bytes* serialized_group_context) {
  return sign_with_label(signature_private_key, content_sign_label,
                         content_tbs(format, content, serialized_group_context));
}

bool verify_content(const bytes& signature_public_key, const authenticated_content& content,
                    const bytes* serialized_group_context) {
  return verify_with_label(
      signature_public_key, content_sign_label,
      content_tbs(content.wire_format, content.content, serialized_group_context),
      content.auth.signature);
}

bytes content_tbm(const authenticated_content& content, const bytes& serialized_group_context) {
  content.auth.check(content.content.type());
  tls_writer w;
  write_content_tbs(w, content.wire_format, content.content, &serialized_group_context);
  content.auth.encode(w);
  return w.take();
}

bytes membership_tag(const bytes& membership_key, const authenticated_content& content,
                     const bytes& serialized_group_context) {
  return mac(membership_key, content_tbm(content, serialized_group_context));
}

bool verify_membership_tag(const bytes& membership_key, const public_message& message,
                           const bytes& serialized_group_context) {
  if (!message.membership_tag) return false;
  auto expected =
      membership_tag(membership_key, to_authenticated(message), serialized_group_context);
  return equal_ct(expected, *message.membership_tag);
}

authenticated_content to_authenticated(const public_message& message) {
  return authenticated_content{wire_format::public_message, message.content, message.auth};
}

public_message to_public_message(const authenticated_content& content,
                                 std::optional<bytes> membership_tag) {
  if (content.wire_format != wire_format::public_message) {
    throw error("public message: content was framed for another wire format");
  }
  return public_message{content.content, content.auth, std::move(membership_tag)};
}

bytes proposal_ref(const authenticated_content& content) {
  if (content.content.type() != content_type::proposal) {
    throw error("proposal ref: the content is not a proposal");
  }
  return ref_hash("Proposal Reference", mls::encode(content));
}

bytes confirmed_transcript_hash_input(const authenticated_content& content) {
  if (content.content.type() != content_type::commit) {
    throw error("transcript: only commits enter the confirmed transcript");
  }
  tls_writer w;
  w.u16(static_cast<std::uint16_t>(content.wire_format));
  content.content.encode(w);
  w.opaque(content.auth.signature);
  return w.take();
}

bytes interim_transcript_hash_input(const bytes& confirmation_tag) {
  tls_writer w;
  w.opaque(confirmation_tag);
  return w.take();
}

}  // namespace parley::mls
