// Whatever the voice gateway relays from other members as MLS — an
// MLSMessage, or one of the structs a commit, a Welcome or the ratchet tree
// extension are made of — either decodes or is refused with mls::error;
// never a crash, a read past the input or any other exception. What decodes
// re-encodes to exactly its input: decoding is strict, so no value has two
// accepted encodings. The checks a client runs next on such input
// (signatures, the tree's shape and hashes, the Welcome's HPKE, opening a
// message for a group that matches it) refuse it the same way.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/message_protection.hpp"
#include "actors/transport/discord/mls/ratchet_tree.hpp"
#include "actors/transport/discord/mls/secret_tree.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace {

using namespace parley::mls;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_mls_message: %s\n", what);
  std::abort();
}

// A refusal is a fine outcome for every check on hostile input.
template <class F>
void refused_or_done(F&& check) {
  try {
    check();
  } catch (const error&) {
  }
}

// Decodes the whole input as a T; when that works the encoding must give
// the input back and `then` gets the value.
template <class T, class Decode, class Encode, class Then>
void round_trip(const bytes& input, const char* name, Decode&& decode_fn, Encode&& encode_fn,
                Then&& then) {
  std::optional<T> value;
  try {
    value.emplace(decode_fn(input));
  } catch (const error&) {
    return;
  }
  if (encode_fn(*value) != input) fail(name);
  refused_or_done([&] { then(*value); });
}

template <class T, class Then>
void round_trip(const bytes& input, const char* name, Then&& then) {
  round_trip<T>(
      input, name, [](const bytes& in) { return decode<T>(in); },
      [](const T& v) { return encode(v); }, std::forward<Then>(then));
}

template <class T>
void round_trip(const bytes& input, const char* name) {
  round_trip<T>(input, name, [](const T&) {});
}

void check_tree(const bytes& encoded, const bytes& group_id) {
  auto tree = ratchet_tree::decode(encoded);
  // Trailing blanks are refused, so the tree gives back the same list.
  if (tree.encode() != encoded) fail("ratchet tree re-encodes differently");
  (void)tree.member_count();
  // Each check on its own, so a tree that fails one still meets the rest
  // (the leaf signatures only verify with the group's id).
  refused_or_done([&] { (void)tree.tree_hash(); });
  refused_or_done([&] { tree.check_unmerged_leaves(); });
  refused_or_done([&] { tree.check_unique_keys(); });
  refused_or_done([&] { (void)tree.verify_parent_hashes(); });
  tree.validate(group_id);
}

// DAVE's group context names the voice gateway as its external sender.
void check_external_senders(const bytes& data) {
  using senders = std::vector<external_sender>;
  round_trip<senders>(
      data, "external senders",
      [](const bytes& in) { return decode_all<senders>(in, decode_external_senders); },
      [](const senders& v) {
        tls_writer w;
        encode_external_senders(w, v);
        return w.take();
      },
      [](const senders&) {});
}

// The extensions a client reads from a GroupInfo or GroupContext.
void check_extensions(const extension_list& list, const bytes& group_id) {
  if (const auto* data = find_extension(list, extension_type::external_senders))
    check_external_senders(*data);
  if (const auto* data = find_extension(list, extension_type::required_capabilities))
    round_trip<required_capabilities>(*data, "required capabilities");
  if (const auto* data = find_extension(list, extension_type::external_pub))
    round_trip<external_pub_extension>(*data, "external pub");
  if (const auto* data = find_extension(list, extension_type::ratchet_tree))
    refused_or_done([&] { check_tree(*data, group_id); });
}

void check_key_package(const key_package& kp) {
  (void)kp.ref();
  (void)kp.verify();
  (void)kp.leaf_node.verify();
}

void check_commit(const commit& c, const bytes& group_id, std::uint32_t sender) {
  for (const auto& p : c.proposals) {
    if (const auto* inline_proposal = p.inline_proposal()) {
      if (const auto* a = std::get_if<add>(&inline_proposal->value))
        refused_or_done([&] { check_key_package(a->key_package); });
      if (const auto* u = std::get_if<update>(&inline_proposal->value))
        refused_or_done([&] { (void)u->leaf_node.verify(group_id, sender); });
      if (const auto* e = std::get_if<group_context_extensions>(&inline_proposal->value))
        check_extensions(e->extensions, group_id);
    }
  }
  if (c.path) (void)c.path->leaf_node.verify(group_id, sender);
}

void check_group_info(const group_info& info) {
  (void)info.to_be_signed();
  check_extensions(info.group_context.extensions, info.group_context.group_id);
  check_extensions(info.extensions, info.group_context.group_id);
  if (const auto* data = find_extension(info.extensions, extension_type::ratchet_tree)) {
    const auto tree = ratchet_tree::decode(*data);
    if (const auto* signer = tree.leaf(info.signer)) (void)info.verify(signer->signature_key);
  }
}

// A joiner's HPKE: a hostile kem_output is refused. The key is the
// welcome vector's (tests/mls/vectors/welcome.json), so that seed opens.
void check_welcome(const welcome& w) {
  static const bytes init_key = {0x0c, 0x62, 0x7e, 0x56, 0x42, 0xc6, 0xa0, 0x1a, 0xdb, 0x63, 0xf1,
                                 0x30, 0x22, 0x2b, 0x66, 0xee, 0xa3, 0x52, 0xeb, 0xe4, 0x7b, 0x85,
                                 0xdf, 0xef, 0x57, 0xd1, 0x23, 0xf7, 0xd1, 0x7f, 0xca, 0xf7};
  (void)w.find(bytes(hash_size, 0x01));
  for (const auto& s : w.secrets) {
    refused_or_done([&] {
      const auto secrets = decrypt_with_label(init_key, "Welcome", w.encrypted_group_info,
                                              s.encrypted_group_secrets.kem_output,
                                              s.encrypted_group_secrets.ciphertext);
      round_trip<group_secrets>(secrets, "decrypted group secrets");
    });
  }
}

// A group whose id and epoch match the message, so opening it gets as far
// as the keys a stranger does not have.
group_context context_for(const bytes& group_id, std::uint64_t epoch) {
  group_context ctx;
  ctx.group_id = group_id;
  ctx.epoch = epoch;
  ctx.tree_hash = bytes(hash_size, 0x11);
  ctx.confirmed_transcript_hash = bytes(hash_size, 0x22);
  return ctx;
}

void check_public(const public_message& m) {
  const auto ac = to_authenticated(m);
  ac.auth.check(ac.content.type());
  (void)proposal_ref(ac);
  if (const auto* c = std::get_if<commit>(&ac.content.content)) {
    (void)confirmed_transcript_hash_input(ac);
    refused_or_done([&] { check_commit(*c, m.content.group_id, m.content.sender.index); });
  }
  static const auto signer = signature_public_key(bytes(32, 0x07));
  (void)open_public(m, context_for(m.content.group_id, m.content.epoch), bytes(hash_size, 0x33),
                    signer);
}

void check_private(const private_message& m) {
  secret_tree tree(bytes(hash_size, 0x44), 4);
  (void)open_private(m, context_for(m.group_id, m.epoch), tree, bytes(hash_size, 0x55),
                     [](std::uint32_t) -> bytes { throw error("no such member"); });
}

void check_message(const mls_message& m) {
  if (const auto* p = m.get<public_message>()) check_public(*p);
  if (const auto* p = m.get<private_message>()) check_private(*p);
  if (const auto* w = m.get<welcome>()) check_welcome(*w);
  if (const auto* g = m.get<group_info>()) check_group_info(*g);
  if (const auto* k = m.get<key_package>()) check_key_package(*k);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes input(data, data + size);
  round_trip<mls_message>(input, "MLSMessage", check_message);
  // The bare structs: a Welcome, GroupInfo and KeyPackage (DAVE sends
  // these without the MLSMessage envelope), the tree, a commit, proposals.
  round_trip<welcome>(input, "Welcome", check_welcome);
  round_trip<group_info>(input, "GroupInfo", check_group_info);
  round_trip<key_package>(input, "KeyPackage", check_key_package);
  round_trip<tree_nodes>(
      input, "ratchet tree", [](const bytes& in) { return decode_tree(in); },
      [](const tree_nodes& t) { return encode_tree(t); },
      [&](const tree_nodes&) { check_tree(input, bytes{}); });
  round_trip<commit>(input, "Commit", [](const commit& c) { check_commit(c, bytes{}, 0); });
  round_trip<update_path>(input, "UpdatePath");
  round_trip<proposal>(input, "Proposal");
  round_trip<group_secrets>(input, "GroupSecrets");
  round_trip<add>(input, "Add", [](const add& a) { check_key_package(a.key_package); });
  round_trip<update>(input, "Update");
  round_trip<proposal::remove>(input, "Remove");
  round_trip<pre_shared_key>(input, "PreSharedKey");
  round_trip<reinit>(input, "ReInit");
  round_trip<external_init>(input, "ExternalInit");
  round_trip<group_context_extensions>(input, "GroupContextExtensions");
  round_trip<authenticated_content>(input, "AuthenticatedContent");
  check_external_senders(input);
  return 0;
}
