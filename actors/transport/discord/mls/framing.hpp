#pragma once
// Message framing (RFC 9420 §6): senders, FramedContent, its
// authentication, PublicMessage, PrivateMessage and the MLSMessage envelope,
// plus the to-be-signed / to-be-MACed encodings built from them.

#include <cstdint>
#include <optional>
#include <variant>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/commit.hpp"
#include "actors/transport/discord/mls/key_package.hpp"
#include "actors/transport/discord/mls/proposal.hpp"
#include "actors/transport/discord/mls/welcome.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

enum class sender_type : std::uint8_t {
  member = 1,
  external = 2,
  new_member_proposal = 3,
  new_member_commit = 4
};

struct sender {
  sender_type type = sender_type::member;
  std::uint32_t index = 0;  // leaf index (member) or external sender index; else unused

  void encode(tls_writer& w) const;
  static sender decode(tls_reader& r);
};

enum class content_type : std::uint8_t { application = 1, proposal = 2, commit = 3 };

enum class wire_format : std::uint16_t {
  public_message = 1,
  private_message = 2,
  welcome = 3,
  group_info = 4,
  key_package = 5
};

// The select(content_type) body of FramedContent and PrivateMessageContent:
// application data, a proposal or a commit.
using content_body = std::variant<bytes, proposal, commit>;
content_type type_of(const content_body& body);
void encode_content_body(tls_writer& w, const content_body& body);
content_body decode_content_body(tls_reader& r, content_type type);
// Reads a content_type byte, refusing unknown values.
content_type decode_content_type(tls_reader& r);

struct framed_content {
  bytes group_id;
  std::uint64_t epoch = 0;
  mls::sender sender;
  bytes authenticated_data;
  content_body content;

  content_type type() const { return type_of(content); }

  void encode(tls_writer& w) const;
  static framed_content decode(tls_reader& r);
};

// The confirmation tag is present exactly when the content is a commit,
// which is why decoding needs the content type.
struct framed_content_auth_data {
  bytes signature;
  std::optional<bytes> confirmation_tag;

  // Writes the tag iff it is set; callers that know the content type check
  // consistency with check(type).
  void encode(tls_writer& w) const;
  static framed_content_auth_data decode(tls_reader& r, content_type type);
  // Throws unless the tag is present exactly for commits.
  void check(content_type type) const;
};

struct authenticated_content {
  mls::wire_format wire_format = mls::wire_format::public_message;
  framed_content content;
  framed_content_auth_data auth;

  void encode(tls_writer& w) const;
  static authenticated_content decode(tls_reader& r);
};

struct public_message {
  framed_content content;
  framed_content_auth_data auth;
  std::optional<bytes> membership_tag;  // present iff the sender is a member

  void encode(tls_writer& w) const;
  static public_message decode(tls_reader& r);
};

struct private_message {
  bytes group_id;
  std::uint64_t epoch = 0;
  mls::content_type content_type = mls::content_type::application;
  bytes authenticated_data;
  bytes encrypted_sender_data;
  bytes ciphertext;

  void encode(tls_writer& w) const;
  static private_message decode(tls_reader& r);
};

// MLSMessage: version (must be mls10), wire_format, then the body.
struct mls_message {
  std::uint16_t version = protocol_version_mls10;
  std::variant<public_message, private_message, mls::welcome, mls::group_info, mls::key_package>
      body;

  wire_format format() const { return static_cast<wire_format>(body.index() + 1); }
  template <class T>
  const T* get() const {
    return std::get_if<T>(&body);
  }
  template <class T>
  T* get() {
    return std::get_if<T>(&body);
  }

  void encode(tls_writer& w) const;
  static mls_message decode(tls_reader& r);
};

// FramedContentTBS (§6.1). The serialized GroupContext is written for
// member and new_member_commit senders only and must then be given.
bytes content_tbs(wire_format format, const framed_content& content,
                  const bytes* serialized_group_context);
// The FramedContentAuthData signature over content_tbs (label
// "FramedContentTBS").
bytes sign_content(const bytes& signature_private_key, wire_format format,
                   const framed_content& content, const bytes* serialized_group_context);
bool verify_content(const bytes& signature_public_key, const authenticated_content& content,
                    const bytes* serialized_group_context);

// AuthenticatedContentTBM (§6.2): FramedContentTBS then the auth data;
// the membership tag is MAC(membership_key, this).
bytes content_tbm(const authenticated_content& content, const bytes& serialized_group_context);
bytes membership_tag(const bytes& membership_key, const authenticated_content& content,
                     const bytes& serialized_group_context);
// Constant-time comparison against the message's tag; false when absent.
bool verify_membership_tag(const bytes& membership_key, const public_message& message,
                           const bytes& serialized_group_context);

// The AuthenticatedContent a PublicMessage carries (wire format
// public_message), and back.
authenticated_content to_authenticated(const public_message& message);
public_message to_public_message(const authenticated_content& content,
                                 std::optional<bytes> membership_tag);

// RefHash("MLS 1.0 Proposal Reference", encoded AuthenticatedContent).
bytes proposal_ref(const authenticated_content& content);

// ConfirmedTranscriptHashInput (§8.2): wire_format, the commit's
// FramedContent, its signature. InterimTranscriptHashInput: the
// confirmation tag as opaque<V>.
bytes confirmed_transcript_hash_input(const authenticated_content& content);
bytes interim_transcript_hash_input(const bytes& confirmation_tag);

}  // namespace parley::mls
