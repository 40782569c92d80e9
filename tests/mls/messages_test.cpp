// The MLS wire structs against the working group's messages vectors
// (test-vectors.md, "Messages"): every message decodes with its type and
// re-encodes to the same bytes. The vectors come from other cipher suites
// too, which must not matter: decoding never depends on the suite. Then
// strictness: a truncated or corrupted message throws mls::error (never
// crashes), anything that does decode re-encodes to exactly its input, and
// the rules RFC 9420 ties to other fields (membership tag, confirmation
// tag, unknown types) are enforced.

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;

namespace {

using round_trip = std::function<bytes(const bytes&)>;

template <class T>
round_trip as() {
  return [](const bytes& data) { return encode(decode<T>(data)); };
}

// Each vector field and the type it holds (test-vectors.md): mls_* and
// the public/private messages are MLSMessage, ratchet_tree is
// optional<Node> ratchet_tree<V>, the *_proposal fields are bare bodies.
const std::map<std::string, round_trip>& fields() {
  static const std::map<std::string, round_trip> table = {
      {"mls_welcome", as<mls_message>()},
      {"mls_group_info", as<mls_message>()},
      {"mls_key_package", as<mls_message>()},
      {"ratchet_tree", [](const bytes& data) { return encode_tree(decode_tree(data)); }},
      {"group_secrets", as<group_secrets>()},
      {"add_proposal", as<add>()},
      {"update_proposal", as<update>()},
      {"remove_proposal", as<proposal::remove>()},
      {"pre_shared_key_proposal", as<pre_shared_key>()},
      {"re_init_proposal", as<reinit>()},
      {"external_init_proposal", as<external_init>()},
      {"group_context_extensions_proposal", as<group_context_extensions>()},
      {"commit", as<commit>()},
      {"public_message_application", as<mls_message>()},
      {"public_message_proposal", as<mls_message>()},
      {"public_message_commit", as<mls_message>()},
      {"private_message", as<mls_message>()},
  };
  return table;
}

wire_format format_of(const bytes& data) {
  return decode<mls_message>(data).format();
}

content_type public_content_type(const bytes& data) {
  return decode<mls_message>(data).get<public_message>()->content.type();
}

bytes hex(const char* text) {
  return test::from_hex(text);
}

// A small member-sent PublicMessage carrying a Remove proposal.
public_message sample_public_proposal() {
  public_message m;
  m.content.group_id = hex("0102");
  m.content.epoch = 7;
  m.content.sender = sender{sender_type::member, 3};
  m.content.authenticated_data = hex("aa");
  m.content.content = proposal{proposal::remove{1}};
  m.auth.signature = hex("5151");
  m.membership_tag = hex("7777");
  return m;
}

bool decodes(const bytes& data, const round_trip& fn) {
  try {
    fn(data);
    return true;
  } catch (const error&) {
    return false;
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_messages)

BOOST_AUTO_TEST_CASE(vectors_round_trip) {
  const auto vectors = test::load_vectors("messages");
  BOOST_REQUIRE(!vectors.empty());
  std::size_t checked = 0;
  std::size_t index = 0;
  for (const auto& v : vectors) {
    for (const auto& [name, fn] : fields()) {
      BOOST_TEST_CONTEXT("entry " << index << " field " << name) {
        BOOST_REQUIRE(v.contains(name));
        const auto data = test::hex_field(v, name.c_str());
        bytes again;
        BOOST_CHECK_NO_THROW(again = fn(data));
        BOOST_TEST(test::to_hex(again) == test::to_hex(data));
        ++checked;
      }
    }
    BOOST_TEST_CONTEXT("entry " << index) {
      BOOST_TEST((format_of(test::hex_field(v, "mls_welcome")) == wire_format::welcome));
      BOOST_TEST((format_of(test::hex_field(v, "mls_group_info")) == wire_format::group_info));
      BOOST_TEST((format_of(test::hex_field(v, "mls_key_package")) == wire_format::key_package));
      BOOST_TEST(
          (format_of(test::hex_field(v, "private_message")) == wire_format::private_message));
      BOOST_TEST((public_content_type(test::hex_field(v, "public_message_application")) ==
                  content_type::application));
      BOOST_TEST((public_content_type(test::hex_field(v, "public_message_proposal")) ==
                  content_type::proposal));
      BOOST_TEST((public_content_type(test::hex_field(v, "public_message_commit")) ==
                  content_type::commit));
    }
    ++index;
  }
  BOOST_TEST(checked == vectors.size() * fields().size());
  BOOST_TEST_MESSAGE("messages: " << vectors.size() << " entries, " << checked
                                  << " messages round-tripped, 0 skipped");
}

BOOST_AUTO_TEST_CASE(truncation_always_throws) {
  const auto vectors = test::load_vectors("messages");
  std::size_t cuts = 0;
  for (std::size_t e = 0; e < 2; ++e) {
    for (const auto& [name, fn] : fields()) {
      const auto data = test::hex_field(vectors.at(e), name.c_str());
      for (std::size_t n = 0; n < data.size(); ++n) {
        BOOST_TEST_CONTEXT("entry " << e << " field " << name << " cut at " << n) {
          const bytes prefix(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
          BOOST_CHECK_THROW(fn(prefix), error);
          ++cuts;
        }
      }
      auto longer = data;
      longer.push_back(0);
      BOOST_CHECK_THROW(fn(longer), error);
    }
  }
  BOOST_TEST_MESSAGE("truncation: " << cuts << " prefixes refused");
}

// Any byte changed to a few values: either a clean mls::error, or a
// message that re-encodes to exactly the corrupted bytes (the encoding is
// canonical, so a decoder that accepts something must preserve it).
BOOST_AUTO_TEST_CASE(corruption_throws_or_round_trips) {
  const auto vectors = test::load_vectors("messages");
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (const auto& [name, fn] : fields()) {
    const auto data = test::hex_field(vectors.at(0), name.c_str());
    for (std::size_t i = 0; i < data.size(); ++i) {
      for (std::uint8_t flip : {0x01, 0x02, 0x40, 0x80, 0xff}) {
        auto bad = data;
        bad[i] ^= flip;
        BOOST_TEST_CONTEXT("field " << name << " byte " << i << " ^ " << int{flip}) {
          try {
            BOOST_TEST(test::to_hex(fn(bad)) == test::to_hex(bad));
            ++accepted;
          } catch (const error&) {
            ++refused;
          }
        }
      }
    }
  }
  BOOST_TEST(refused > 0U);
  BOOST_TEST_MESSAGE("corruption: " << accepted << " accepted and canonical, " << refused
                                    << " refused");
}

BOOST_AUTO_TEST_CASE(enumerations_are_checked) {
  // MLSMessage header: version 1 only, wire formats 1..5 only.
  const auto message = encode(mls_message{protocol_version_mls10, sample_public_proposal()});
  BOOST_TEST(decodes(message, as<mls_message>()));
  auto bad = message;
  bad[1] = 2;  // version
  BOOST_TEST(!decodes(bad, as<mls_message>()));
  bad = message;
  bad[3] = 6;  // wire format
  BOOST_TEST(!decodes(bad, as<mls_message>()));
  bad[3] = 0;
  BOOST_TEST(!decodes(bad, as<mls_message>()));

  // Sender type: byte after group_id<V> (3 bytes) and epoch (8) in the
  // public message body (after the 4-byte header).
  const std::size_t sender_at = 4 + 3 + 8;
  BOOST_REQUIRE(message[sender_at] == 1);
  for (std::uint8_t t : {0, 5, 255}) {
    bad = message;
    bad[sender_at] = t;
    BOOST_TEST(!decodes(bad, as<mls_message>()));
  }
  // Content type: after sender (1 + 4) and authenticated_data<V> (2).
  const std::size_t content_at = sender_at + 5 + 2;
  BOOST_REQUIRE(message[content_at] == 2);
  for (std::uint8_t t : {0, 4, 255}) {
    bad = message;
    bad[content_at] = t;
    BOOST_TEST(!decodes(bad, as<mls_message>()));
  }
  // Proposal type (u16 after the content type): 1..7 only.
  BOOST_REQUIRE(message[content_at + 2] == 3);
  for (std::uint8_t t : {0, 8, 0xff}) {
    bad = message;
    bad[content_at + 2] = t;
    BOOST_TEST(!decodes(bad, as<mls_message>()));
  }
  BOOST_TEST(!decodes(hex("02"), as<proposal::remove>()));
  BOOST_TEST(!decodes(hex("0300"), [](const bytes& d) { return encode(decode<node>(d)); }));
  BOOST_TEST(!decodes(hex("03"), as<proposal_or_ref>()));
  BOOST_TEST(!decodes(hex("0300"), as<pre_shared_key>()));
}

BOOST_AUTO_TEST_CASE(tags_follow_sender_and_content) {
  auto m = sample_public_proposal();
  BOOST_TEST(encode(m).size() > 0U);
  // A member must carry a membership tag; nobody else may.
  m.membership_tag.reset();
  BOOST_CHECK_THROW(encode(m), error);
  m = sample_public_proposal();
  m.content.sender = sender{sender_type::external, 0};
  BOOST_CHECK_THROW(encode(m), error);
  m.membership_tag.reset();
  const auto external = encode(m);
  const auto back = decode<public_message>(external);
  BOOST_TEST(!back.membership_tag.has_value());
  BOOST_TEST(back.content.sender.index == 0U);
  // new_member senders have no index on the wire.
  m.content.sender = sender{sender_type::new_member_proposal, 0};
  BOOST_TEST(encode(m).size() == external.size() - 4);

  // A confirmation tag exactly for commits.
  m = sample_public_proposal();
  m.auth.confirmation_tag = hex("01");
  BOOST_CHECK_THROW(encode(m), error);
  m.content.content = commit{};
  BOOST_TEST((decode<public_message>(encode(m)).auth.confirmation_tag == m.auth.confirmation_tag));
  m.auth.confirmation_tag.reset();
  BOOST_CHECK_THROW(encode(m), error);
}

BOOST_AUTO_TEST_CASE(codec_rules) {
  // optional<T>: presence byte 0 or 1 only.
  BOOST_TEST(decodes(hex("0000"), as<commit>()));
  BOOST_TEST(!decodes(hex("0002"), as<commit>()));
  // Varint lengths must be minimal.
  BOOST_TEST(decodes(hex("00"), as<group_context_extensions>()));
  BOOST_TEST(!decodes(hex("4000"), as<group_context_extensions>()));
  // A vector's length may not run past its input.
  BOOST_TEST(!decodes(hex("05000100"), as<group_context_extensions>()));
  // Extension types in one list are unique.
  BOOST_TEST(decodes(hex("06000100000200"), as<group_context_extensions>()));
  BOOST_TEST(!decodes(hex("06000100000100"), as<group_context_extensions>()));
  // A vector item cut short by its vector's length is refused.
  BOOST_TEST(!decodes(hex("020001"), as<group_context_extensions>()));
}

BOOST_AUTO_TEST_CASE(credentials) {
  // Unknown credential types are kept opaque and round-trip.
  const auto unknown = hex("f0f003abcdef");
  BOOST_TEST(test::to_hex(encode(decode<credential>(unknown))) == test::to_hex(unknown));
  // x509: a vector of certificates, each opaque<V>.
  BOOST_TEST((decode<credential>(hex("0002050201020103")).identity == hex("0201020103")));
  BOOST_TEST(!decodes(hex("000203050102"), as<credential>()));
  const auto basic = decode<credential>(hex("000103616263"));
  BOOST_TEST(basic.type == credential_type::basic);
  BOOST_TEST((basic.identity == hex("616263")));
}

BOOST_AUTO_TEST_CASE(leaf_node_source_fields) {
  leaf_node leaf;
  leaf.encryption_key = hex("01");
  leaf.signature_key = hex("02");
  leaf.credential = credential{credential_type::basic, hex("03")};
  leaf.lifetime = lifetime{1, 2};
  leaf.parent_hash = hex("0404");
  const auto as_key_package = encode(leaf);
  leaf.source = leaf_node_source::update;
  const auto as_update = encode(leaf);
  leaf.source = leaf_node_source::commit;
  const auto as_commit = encode(leaf);
  // Lifetime (16 bytes) only for key packages, parent_hash<V> only for commits.
  BOOST_TEST(as_key_package.size() == as_update.size() + 16);
  BOOST_TEST(as_commit.size() == as_update.size() + 3);
  BOOST_TEST((decode<leaf_node>(as_commit).parent_hash == hex("0404")));
  BOOST_TEST(decode<leaf_node>(as_key_package).lifetime.not_after == 2U);
  BOOST_TEST(decode<leaf_node>(as_update).parent_hash.empty());
  // LeafNodeTBS appends group_id<V> and leaf_index u32 for update/commit only.
  const auto group = hex("abcd");
  BOOST_TEST(leaf.to_be_signed(group, 5).size() + 1 == as_commit.size() + 3 + 4);
  leaf.source = leaf_node_source::key_package;
  BOOST_TEST(leaf.to_be_signed(group, 5).size() + 1 == as_key_package.size());
  auto bad = as_update;
  bad[1 + 1 + 1 + 1 + 2 + 1 + 1 + 5] = 4;  // the source byte
  BOOST_TEST(!decodes(bad, as<leaf_node>()));
}

BOOST_AUTO_TEST_CASE(signatures_and_refs) {
  const auto keys = generate_signature_key();
  key_package kp;
  kp.init_key = hpke_public_key(generate_hpke_key().private_key);
  kp.leaf_node.encryption_key = hpke_public_key(generate_hpke_key().private_key);
  kp.leaf_node.signature_key = keys.public_key;
  kp.leaf_node.credential = credential{credential_type::basic, hex("0102")};
  kp.leaf_node.capabilities.versions = {1};
  kp.leaf_node.capabilities.cipher_suites = {2};
  kp.leaf_node.lifetime = lifetime{0, ~std::uint64_t{0}};
  kp.leaf_node.sign(keys.private_key);
  BOOST_TEST(kp.leaf_node.verify());
  kp.sign(keys.private_key);
  BOOST_TEST(kp.verify());
  const auto decoded = decode<key_package>(encode(kp));
  BOOST_TEST(decoded.verify());
  BOOST_TEST(decoded.leaf_node.verify());
  BOOST_TEST((decoded.ref() == ref_hash("KeyPackage Reference", encode(kp))));
  BOOST_TEST((decoded.ref().size() == hash_size));
  auto tampered = kp;
  tampered.init_key.back() ^= 1;
  BOOST_TEST(!tampered.verify());

  // A leaf from an update binds group id and index.
  auto leaf = kp.leaf_node;
  leaf.source = leaf_node_source::update;
  leaf.sign(keys.private_key, hex("0a0b"), 3);
  BOOST_TEST(leaf.verify(hex("0a0b"), 3));
  BOOST_TEST(!leaf.verify(hex("0a0b"), 4));
  BOOST_TEST(!leaf.verify(hex("0a0c"), 3));

  group_info info;
  info.group_context.group_id = hex("0a0b");
  info.group_context.epoch = 9;
  info.confirmation_tag = hex("cc");
  info.signer = 1;
  info.sign(keys.private_key);
  BOOST_TEST(decode<group_info>(encode(info)).verify(keys.public_key));
  info.signer = 2;
  BOOST_TEST(!info.verify(keys.public_key));

  // Framed content: signature over FramedContentTBS with the group context
  // for members; proposal refs hash the AuthenticatedContent.
  const auto context = encode(info.group_context);
  auto message = sample_public_proposal();
  auto ac = to_authenticated(message);
  ac.auth.signature = sign_content(keys.private_key, ac.wire_format, ac.content, &context);
  BOOST_TEST(verify_content(keys.public_key, ac, &context));
  const auto other_context = encode(group_context{});
  BOOST_TEST(!verify_content(keys.public_key, ac, &other_context));
  BOOST_CHECK_THROW(content_tbs(ac.wire_format, ac.content, nullptr), error);
  BOOST_TEST((proposal_ref(ac) == ref_hash("Proposal Reference", encode(ac))));

  const auto membership_key = random_bytes(hash_size);
  message = to_public_message(ac, membership_tag(membership_key, ac, context));
  BOOST_TEST(verify_membership_tag(membership_key, message, context));
  message.content.epoch += 1;
  BOOST_TEST(!verify_membership_tag(membership_key, message, context));
}

BOOST_AUTO_TEST_CASE(to_be_signed_layouts) {
  auto ac = to_authenticated(sample_public_proposal());
  const auto context = hex("c0c1");
  const auto tbs = content_tbs(ac.wire_format, ac.content, &context);
  // version, wire format, the content, then the raw group context.
  BOOST_TEST(test::to_hex(tbs) ==
             "00010001" + test::to_hex(encode(ac.content)) + test::to_hex(context));
  // New members proposing have no group context to bind to.
  ac.content.sender = sender{sender_type::new_member_proposal, 0};
  BOOST_TEST(test::to_hex(content_tbs(ac.wire_format, ac.content, nullptr)) ==
             "00010001" + test::to_hex(encode(ac.content)));
  ac.content.sender = sender{sender_type::new_member_commit, 0};
  BOOST_CHECK_THROW(content_tbs(ac.wire_format, ac.content, nullptr), error);

  // ConfirmedTranscriptHashInput: wire format, content, signature<V>.
  ac.content.content = commit{};
  ac.auth.confirmation_tag = hex("ee");
  BOOST_TEST(test::to_hex(confirmed_transcript_hash_input(ac)) ==
             "0001" + test::to_hex(encode(ac.content)) + "025151");
  BOOST_TEST(test::to_hex(interim_transcript_hash_input(hex("ee"))) == "01ee");
  BOOST_TEST(test::to_hex(encode(ac)) == "0001" + test::to_hex(encode(ac.content)) + "02515101ee");
}

BOOST_AUTO_TEST_SUITE_END()
