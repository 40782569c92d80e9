// Message protection (RFC 9420 §6) against message-protection.json: for a
// proposal, a commit and application data, the given PublicMessage and
// PrivateMessage open (membership tag, signature, decryption with the
// secret tree of two members, sender leaf 1), a PrivateMessage cannot be
// opened twice, and what we protect ourselves opens again. Tampering with
// any part is refused.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/message_protection.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using namespace parley::mls::test;

namespace {

struct fixture {
  group_context context;
  bytes signature_priv;
  bytes signature_pub;
  bytes encryption_secret;
  bytes sender_data_secret;
  bytes membership_key;

  explicit fixture(const nlohmann::json& v)
      : signature_priv(hex_field(v, "signature_priv")),
        signature_pub(hex_field(v, "signature_pub")),
        encryption_secret(hex_field(v, "encryption_secret")),
        sender_data_secret(hex_field(v, "sender_data_secret")),
        membership_key(hex_field(v, "membership_key")) {
    context.group_id = hex_field(v, "group_id");
    context.epoch = v.at("epoch").get<std::uint64_t>();
    context.tree_hash = hex_field(v, "tree_hash");
    context.confirmed_transcript_hash = hex_field(v, "confirmed_transcript_hash");
  }

  leaf_signature_key keys() const {
    return [pub = signature_pub](std::uint32_t leaf) {
      if (leaf != 1) throw error("no such member");
      return pub;
    };
  }

  // The vectors' sender is leaf 1 of a two-member tree.
  authenticated_content sign(wire_format format, content_body body) const {
    framed_content content;
    content.group_id = context.group_id;
    content.epoch = context.epoch;
    content.sender = {sender_type::member, 1};
    content.content = std::move(body);
    auto out = sign_framed_content(format, std::move(content), signature_priv, context);
    // Any tag will do here: checking it is the group's job, not framing's.
    if (out.content.type() == content_type::commit) out.auth.confirmation_tag = bytes(32, 0xc7);
    return out;
  }
};

content_body parse_body(content_type type, const bytes& raw) {
  if (type == content_type::proposal) return decode<proposal>(raw);
  if (type == content_type::commit) return decode<commit>(raw);
  return raw;
}

std::string body_hex(const content_body& body) {
  if (const auto* data = std::get_if<bytes>(&body)) return to_hex(*data);
  tls_writer w;
  encode_content_body(w, body);
  return to_hex(w.data());
}

template <class T>
T message_of(const bytes& serialized) {
  const auto message = decode<mls_message>(serialized);
  const auto* body = message.get<T>();
  if (body == nullptr) throw std::runtime_error("unexpected wire format");
  return *body;
}

template <class T>
T round_trip(const T& body) {
  mls_message message;
  message.body = body;
  return message_of<T>(encode(message));
}

void check_public(const fixture& f, const nlohmann::json& v, const std::string& name,
                  content_type type) {
  const auto raw = hex_field(v, name.c_str());
  const auto given = message_of<public_message>(hex_field(v, (name + "_pub").c_str()));
  const auto opened = open_public(given, f.context, f.membership_key, f.signature_pub);
  BOOST_TEST(body_hex(opened.content.content) == to_hex(raw));

  const auto ours = round_trip(protect_public(
      f.sign(wire_format::public_message, parse_body(type, raw)), f.context, f.membership_key));
  BOOST_TEST(
      body_hex(open_public(ours, f.context, f.membership_key, f.signature_pub).content.content) ==
      to_hex(raw));

  auto bad_tag = ours;
  (*bad_tag.membership_tag)[0] ^= 1;
  BOOST_CHECK_THROW(open_public(bad_tag, f.context, f.membership_key, f.signature_pub), error);
  auto bad_signature = ours;
  bad_signature.auth.signature.back() ^= 1;
  BOOST_CHECK_THROW(open_public(bad_signature, f.context, f.membership_key, f.signature_pub),
                    error);
  auto other_epoch = f.context;
  ++other_epoch.epoch;
  BOOST_CHECK_THROW(open_public(ours, other_epoch, f.membership_key, f.signature_pub), error);
}

void check_private(const fixture& f, const nlohmann::json& v, const std::string& name,
                   content_type type) {
  const auto raw = hex_field(v, name.c_str());
  const auto given = message_of<private_message>(hex_field(v, (name + "_priv").c_str()));
  secret_tree receiver(f.encryption_secret, 2);
  const auto opened = open_private(given, f.context, receiver, f.sender_data_secret, f.keys());
  BOOST_TEST(body_hex(opened.content.content) == to_hex(raw));
  BOOST_TEST(opened.content.sender.index == 1U);
  BOOST_CHECK_THROW(open_private(given, f.context, receiver, f.sender_data_secret, f.keys()),
                    error);

  secret_tree sender(f.encryption_secret, 2);
  secret_tree peer(f.encryption_secret, 2);
  for (std::size_t padding : {0, 1, 100}) {
    const auto ours =
        round_trip(protect_private(f.sign(wire_format::private_message, parse_body(type, raw)),
                                   f.context, sender, f.sender_data_secret, padding));
    BOOST_TEST(body_hex(open_private(ours, f.context, peer, f.sender_data_secret, f.keys())
                            .content.content) == to_hex(raw));
    BOOST_CHECK_THROW(open_private(ours, f.context, peer, f.sender_data_secret, f.keys()), error);
  }

  // Tampered ciphertext, sender data or authenticated data: all refused.
  auto msg = protect_private(f.sign(wire_format::private_message, parse_body(type, raw)), f.context,
                             sender, f.sender_data_secret);
  for (int part = 0; part < 3; ++part) {
    secret_tree fresh(f.encryption_secret, 2);
    auto bad = msg;
    if (part == 0) bad.ciphertext.back() ^= 1;
    if (part == 1) bad.encrypted_sender_data[0] ^= 1;
    if (part == 2) bad.authenticated_data.push_back(0);
    BOOST_CHECK_THROW(open_private(bad, f.context, fresh, f.sender_data_secret, f.keys()), error);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_message_protection)

BOOST_AUTO_TEST_CASE(vectors) {
  std::size_t checked = 0;
  for (const auto& v : load_vectors("message-protection")) {
    const fixture f(v);
    check_public(f, v, "proposal", content_type::proposal);
    check_public(f, v, "commit", content_type::commit);
    check_private(f, v, "proposal", content_type::proposal);
    check_private(f, v, "commit", content_type::commit);
    check_private(f, v, "application", content_type::application);

    // Application data never goes out as a PublicMessage.
    const auto app = f.sign(wire_format::public_message, hex_field(v, "application"));
    BOOST_CHECK_THROW(protect_public(app, f.context, f.membership_key), error);
    ++checked;
  }
  BOOST_TEST_MESSAGE("message protection: checked " << checked << " vector sets");
  BOOST_TEST(checked > 0U);
}

BOOST_AUTO_TEST_CASE(wrong_wire_format_or_sender_is_refused) {
  const auto v = load_vectors("message-protection").at(0);
  const fixture f(v);
  const auto raw = hex_field(v, "proposal");
  const auto as_private = f.sign(wire_format::private_message, decode<proposal>(raw));
  BOOST_CHECK_THROW(protect_public(as_private, f.context, f.membership_key), error);

  secret_tree tree(f.encryption_secret, 2);
  const auto as_public = f.sign(wire_format::public_message, decode<proposal>(raw));
  BOOST_CHECK_THROW(protect_private(as_public, f.context, tree, f.sender_data_secret), error);

  auto external = as_private;
  external.content.sender = {sender_type::external, 0};
  BOOST_CHECK_THROW(protect_private(external, f.context, tree, f.sender_data_secret), error);
}

BOOST_AUTO_TEST_SUITE_END()
