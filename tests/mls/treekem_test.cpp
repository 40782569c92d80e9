// TreeKEM against the working group's treekem vectors: every member's
// private keys match the tree; every receiver of each UpdatePath decrypts
// the expected path secret and commit secret and the merged tree has the
// expected hash; and an UpdatePath of our own making, from the same
// sender, is taken in by every other member with the same commit secret
// and the same tree. Then a group grows by a member who joins with the
// path secret a committer hands it, and who commits in turn.

#include <boost/test/unit_test.hpp>
#include <map>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"
#include "actors/transport/discord/mls/treekem.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using test::hex_field;
using test::to_hex;

namespace {

struct member_keys {
  treekem_private hpke;
  bytes signature_private;
};

std::map<std::uint32_t, member_keys> load_members(const nlohmann::json& v,
                                                  const ratchet_tree& tree) {
  std::map<std::uint32_t, member_keys> members;
  for (const auto& entry : v.at("leaves_private")) {
    const auto index = entry.at("index").get<std::uint32_t>();
    member_keys keys{treekem_private(index, hex_field(entry, "encryption_priv")),
                     hex_field(entry, "signature_priv")};
    for (const auto& ps : entry.at("path_secrets")) {
      keys.hpke.set_path_secret(ps.at("node").get<std::uint32_t>(), hex_field(ps, "path_secret"));
    }
    BOOST_TEST(keys.hpke.consistent(tree));
    members.emplace(index, std::move(keys));
  }
  return members;
}

group_context vector_context(const nlohmann::json& v) {
  group_context ctx;
  ctx.group_id = hex_field(v, "group_id");
  ctx.epoch = v.at("epoch").get<std::uint64_t>();
  ctx.confirmed_transcript_hash = hex_field(v, "confirmed_transcript_hash");
  return ctx;
}

// Our own UpdatePath from `sender`, taken in by every other member.
void check_own_encap(const ratchet_tree& tree, std::map<std::uint32_t, member_keys> members,
                     std::uint32_t sender, const group_context& ctx) {
  auto committer_tree = tree;
  const auto& me = members.at(sender);
  auto out = encap(committer_tree, sender, *tree.leaf(sender), me.signature_private, ctx, {});
  BOOST_TEST(out.private_state.consistent(committer_tree));
  BOOST_TEST(committer_tree.verify_parent_hashes());
  BOOST_TEST(out.path.leaf_node.verify(ctx.group_id, sender));
  // The path survives the wire.
  const auto path = decode<update_path>(encode(out.path));
  for (auto& [j, keys] : members) {
    if (j == sender) continue;
    auto receiver_tree = tree;
    const auto got = decap(receiver_tree, keys.hpke, sender, path, ctx, {});
    BOOST_TEST(to_hex(got.commit_secret) == to_hex(out.commit_secret));
    BOOST_TEST(to_hex(receiver_tree.tree_hash()) == to_hex(committer_tree.tree_hash()));
    BOOST_TEST(keys.hpke.consistent(receiver_tree));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_treekem)

BOOST_AUTO_TEST_CASE(vectors) {
  const auto vectors = test::load_vectors("treekem");
  BOOST_REQUIRE(!vectors.empty());
  std::size_t paths = 0;
  std::size_t decaps = 0;
  std::size_t index = 0;
  for (const auto& v : vectors) {
    BOOST_TEST_CONTEXT("vector " << index++) {
      const auto tree = ratchet_tree::decode(hex_field(v, "ratchet_tree"));
      const auto members = load_members(v, tree);
      const auto ctx = vector_context(v);
      for (const auto& up : v.at("update_paths")) {
        const auto sender = up.at("sender").get<std::uint32_t>();
        BOOST_TEST_CONTEXT("sender " << sender) {
          const auto path = decode<update_path>(hex_field(up, "update_path"));
          const auto commit_secret = to_hex(hex_field(up, "commit_secret"));
          const auto tree_hash_after = to_hex(hex_field(up, "tree_hash_after"));

          // Parent-hash valid relative to the tree, and the merged hash.
          auto merged = tree;
          std::vector<bytes> keys;
          for (const auto& n : path.nodes) keys.push_back(n.encryption_key);
          BOOST_TEST(to_hex(merged.merge_path_keys(sender, keys)) ==
                     to_hex(path.leaf_node.parent_hash));
          merged.set_leaf(sender, path.leaf_node);
          BOOST_TEST(to_hex(merged.tree_hash()) == tree_hash_after);
          BOOST_TEST(merged.verify_parent_hashes());

          const auto& expected_secrets = up.at("path_secrets");
          for (std::uint32_t j = 0; j < tree.leaf_count(); ++j) {
            if (j == sender || tree.leaf(j) == nullptr) continue;
            BOOST_TEST_CONTEXT("receiver " << j) {
              auto receiver_tree = tree;
              auto keys_j = members.at(j).hpke;
              const auto got = decap(receiver_tree, keys_j, sender, path, ctx, {});
              BOOST_TEST(to_hex(got.path_secret) == expected_secrets.at(j).get<std::string>());
              BOOST_TEST(to_hex(got.commit_secret) == commit_secret);
              BOOST_TEST(to_hex(receiver_tree.tree_hash()) == tree_hash_after);
              BOOST_TEST(keys_j.consistent(receiver_tree));
              ++decaps;
            }
          }
          check_own_encap(tree, members, sender, ctx);
          ++paths;
        }
      }
    }
  }
  BOOST_TEST_MESSAGE("treekem: " << vectors.size() << " trees, " << paths << " update paths, "
                                 << decaps << " receiver decaps checked, each path also "
                                 << "re-made by us and taken in by every receiver");
}

BOOST_AUTO_TEST_CASE(tampered_paths_are_refused) {
  const auto v = test::load_vectors("treekem").at(2);
  const auto tree = ratchet_tree::decode(hex_field(v, "ratchet_tree"));
  const auto members = load_members(v, tree);
  const auto ctx = vector_context(v);
  const auto& up = v.at("update_paths").at(0);
  const auto sender = up.at("sender").get<std::uint32_t>();
  const auto path = decode<update_path>(hex_field(up, "update_path"));
  const std::uint32_t receiver = sender == 0 ? 1 : 0;

  auto run = [&](const update_path& p, const group_context& c) {
    auto t = tree;
    auto keys = members.at(receiver).hpke;
    decap(t, keys, sender, p, c, {});
  };
  BOOST_CHECK_NO_THROW(run(path, ctx));
  // A different context (epoch) fails decryption.
  auto other_ctx = ctx;
  other_ctx.epoch += 1;
  BOOST_CHECK_THROW(run(path, other_ctx), error);
  // A node key swapped breaks the parent hash of the leaf.
  auto swapped = path;
  swapped.nodes.back().encryption_key = generate_hpke_key().public_key;
  BOOST_CHECK_THROW(run(swapped, ctx), error);
  // One node too few.
  auto short_path = path;
  short_path.nodes.pop_back();
  BOOST_CHECK_THROW(run(short_path, ctx), error);
  // A ciphertext missing for the receiver's copath node.
  auto missing = path;
  for (auto& n : missing.nodes) n.encrypted_path_secret.clear();
  BOOST_CHECK_THROW(run(missing, ctx), error);
  // The sender cannot decap its own path; nor can a leaf the commit adds.
  {
    auto t = tree;
    auto keys = members.at(sender).hpke;
    BOOST_CHECK_THROW(decap(t, keys, sender, path, ctx, {}), error);
    auto keys_r = members.at(receiver).hpke;
    BOOST_CHECK_THROW(decap(t, keys_r, sender, path, ctx, {receiver}), error);
  }
}

BOOST_AUTO_TEST_CASE(join_and_commit) {
  struct member {
    hpke_key_pair hpke;
    signature_key_pair sig;
    std::uint32_t leaf = 0;
    bool in_group = false;
    treekem_private keys;
  };
  auto make_leaf = [](member& m, const std::string& name) {
    m.hpke = generate_hpke_key();
    m.sig = generate_signature_key();
    leaf_node leaf;
    leaf.encryption_key = m.hpke.public_key;
    leaf.signature_key = m.sig.public_key;
    leaf.credential.identity = bytes(name.begin(), name.end());
    leaf.capabilities.versions = {1};
    leaf.capabilities.cipher_suites = {2};
    leaf.lifetime = {0, ~std::uint64_t{0}};
    leaf.sign(m.sig.private_key);
    return leaf;
  };
  group_context ctx;
  ctx.group_id = bytes{1, 2, 3, 4};
  ctx.epoch = 7;
  ctx.confirmed_transcript_hash = bytes(32, 9);

  std::vector<member> members(6);
  ratchet_tree tree;
  for (std::uint32_t i = 0; i < 5; ++i) {
    members[i].leaf = tree.add_leaf(make_leaf(members[i], "m" + std::to_string(i)));
    members[i].keys = treekem_private(members[i].leaf, members[i].hpke.private_key);
    members[i].in_group = true;
  }

  // Everyone takes in one commit from `from`; all trees stay equal.
  auto commit_round = [&](member& committer, const std::vector<std::uint32_t>& excluded,
                          ratchet_tree& provisional) {
    const auto from = committer.leaf;
    auto committer_tree = provisional;
    auto out = encap(committer_tree, from, *provisional.leaf(from), committer.sig.private_key, ctx,
                     excluded);
    for (auto& m : members) {
      if (!m.in_group || m.leaf == from) continue;
      if (std::find(excluded.begin(), excluded.end(), m.leaf) != excluded.end()) continue;
      auto t = provisional;
      const auto got = decap(t, m.keys, from, out.path, ctx, excluded);
      BOOST_TEST(to_hex(got.commit_secret) == to_hex(out.commit_secret));
      BOOST_TEST(to_hex(t.tree_hash()) == to_hex(committer_tree.tree_hash()));
      BOOST_TEST(m.keys.consistent(t));
    }
    committer.keys = out.private_state;
    BOOST_TEST(committer_tree.verify_parent_hashes());
    BOOST_CHECK_NO_THROW(committer_tree.validate(ctx.group_id));
    provisional = committer_tree;
    return out;
  };

  commit_round(members[0], {}, tree);
  commit_round(members[3], {}, tree);
  // Remove member 1, add member 5 into its leaf; member 2 commits.
  tree.remove_leaf(1);
  members[1].in_group = false;
  members[5].leaf = tree.add_leaf(make_leaf(members[5], "m5"));
  BOOST_TEST(members[5].leaf == 1U);
  members[5].keys = treekem_private(members[5].leaf, members[5].hpke.private_key);
  members[5].in_group = true;
  commit_round(members[2], {members[5].leaf}, tree);
  // The Welcome's path secret for the joiner.
  const auto* secret = members[2].keys.path_secret_for(members[5].leaf);
  BOOST_REQUIRE(secret != nullptr);
  const auto ancestor = tree_math::common_ancestor(tree_math::leaf_to_node(2),
                                                   tree_math::leaf_to_node(members[5].leaf));
  members[5].keys.implant(tree, ancestor, *secret);
  BOOST_TEST(members[5].keys.consistent(tree));
  BOOST_TEST(members[5].keys.private_key(tree_math::root(tree.leaf_count())) != nullptr);
  // A wrong path secret is refused.
  auto wrong = members[5].keys;
  BOOST_CHECK_THROW(wrong.implant(tree, ancestor, bytes(32, 1)), error);
  // The joiner commits; everyone (member 1 is gone) follows.
  commit_round(members[5], {}, tree);
  commit_round(members[4], {}, tree);
  BOOST_TEST(tree.member_count() == 5U);
}

BOOST_AUTO_TEST_SUITE_END()
