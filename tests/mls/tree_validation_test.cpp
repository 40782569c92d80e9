// The ratchet tree against the working group's tree-validation vectors:
// for trees with blanks, trailing blanks, unmerged leaves and parent-hash
// chains that skip blank nodes, every node's resolution and tree hash,
// the parent-hash chains and every leaf's signature. Then the tree's own
// edits: adding into the leftmost blank, truncating after a removal, and
// a tampered tree being refused.

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/ratchet_tree.hpp"
#include "actors/transport/discord/mls/tree_math.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;

namespace {

leaf_node test_leaf(const std::string& name) {
  leaf_node leaf;
  leaf.encryption_key = generate_hpke_key().public_key;
  auto sig = generate_signature_key();
  leaf.signature_key = sig.public_key;
  leaf.credential.identity = bytes(name.begin(), name.end());
  leaf.capabilities.versions = {1};
  leaf.capabilities.cipher_suites = {2};
  leaf.capabilities.credentials = {1};
  leaf.lifetime = {0, ~std::uint64_t{0}};
  leaf.sign(sig.private_key);
  return leaf;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_tree_validation)

BOOST_AUTO_TEST_CASE(vectors) {
  const auto vectors = test::load_vectors("tree-validation");
  BOOST_REQUIRE(!vectors.empty());
  std::size_t nodes_checked = 0;
  std::size_t index = 0;
  for (const auto& v : vectors) {
    BOOST_TEST_CONTEXT("tree " << index++) {
      const auto data = test::hex_field(v, "tree");
      const auto tree = ratchet_tree::decode(data);
      const auto group_id = test::hex_field(v, "group_id");
      const auto& resolutions = v.at("resolutions");
      const auto& hashes = v.at("tree_hashes");
      BOOST_REQUIRE_EQUAL(tree.node_count(), resolutions.size());
      BOOST_REQUIRE_EQUAL(tree.node_count(), hashes.size());
      const auto all = tree.tree_hashes();
      for (std::uint32_t i = 0; i < tree.node_count(); ++i) {
        BOOST_TEST_CONTEXT("node " << i) {
          BOOST_TEST(tree.resolution(i) == resolutions.at(i).get<std::vector<std::uint32_t>>(),
                     boost::test_tools::per_element());
          const auto expected = test::from_hex(hashes.at(i).get<std::string>());
          BOOST_TEST(test::to_hex(all.at(i)) == test::to_hex(expected));
          BOOST_TEST(test::to_hex(tree.tree_hash(i)) == test::to_hex(expected));
        }
        ++nodes_checked;
      }
      BOOST_TEST(tree.verify_parent_hashes());
      BOOST_CHECK_NO_THROW(tree.verify_leaf_signatures(group_id));
      BOOST_CHECK_NO_THROW(tree.validate(group_id));
      // The tree re-encodes to the same bytes (trailing blanks stripped).
      BOOST_TEST(test::to_hex(tree.encode()) == test::to_hex(data));
      // Another group's id breaks the signatures of update/commit leaves.
      auto other = group_id;
      other[0] ^= 1;
      BOOST_CHECK_THROW(tree.verify_leaf_signatures(other), error);
    }
  }
  BOOST_TEST_MESSAGE("tree-validation: " << vectors.size() << " trees, " << nodes_checked
                                         << " nodes checked");
}

BOOST_AUTO_TEST_CASE(tampered_trees_are_refused) {
  const auto vectors = test::load_vectors("tree-validation");
  for (const auto& v : vectors) {
    const auto tree = ratchet_tree::decode(test::hex_field(v, "tree"));
    const auto group_id = test::hex_field(v, "group_id");
    // Change one parent node's key: its own chain link, and the one of
    // the node above that covers it, no longer verify.
    auto nodes = tree.to_nodes();
    for (std::size_t i = 1; i < nodes.size(); i += 2) {
      if (!nodes[i]) continue;
      auto changed = nodes;
      changed[i]->parent()->encryption_key = generate_hpke_key().public_key;
      const auto bad = ratchet_tree::from_nodes(changed);
      BOOST_TEST(!bad.verify_parent_hashes());
      BOOST_CHECK_THROW(bad.validate(group_id), error);
      break;
    }
  }
  // Wire shapes that are not a tree.
  const auto tree = ratchet_tree::decode(test::hex_field(vectors.at(0), "tree"));
  auto nodes = tree.to_nodes();
  auto even = nodes;
  even.pop_back();
  BOOST_CHECK_THROW(ratchet_tree::from_nodes(even), error);
  auto trailing = nodes;
  trailing.emplace_back();
  trailing.emplace_back();
  BOOST_CHECK_THROW(ratchet_tree::from_nodes(trailing), error);
  auto swapped = nodes;
  std::swap(swapped[0], swapped[1]);
  BOOST_CHECK_THROW(ratchet_tree::from_nodes(swapped), error);
  BOOST_CHECK_THROW(ratchet_tree::from_nodes({}), error);
  BOOST_CHECK_THROW(tree.at(tree.node_count()), error);
  BOOST_CHECK_THROW(tree.leaf(tree.leaf_count()), error);
}

BOOST_AUTO_TEST_CASE(add_remove_and_truncate) {
  ratchet_tree tree;
  BOOST_TEST(tree.leaf_count() == 0U);
  std::vector<leaf_node> leaves;
  leaves.reserve(5);
  for (int i = 0; i < 5; ++i) leaves.push_back(test_leaf("member" + std::to_string(i)));
  for (std::uint32_t i = 0; i < 5; ++i) BOOST_TEST(tree.add_leaf(leaves[i]) == i);
  BOOST_TEST(tree.leaf_count() == 8U);
  BOOST_TEST(tree.node_count() == 15U);
  BOOST_TEST(tree.member_count() == 5U);
  BOOST_TEST(tree.to_nodes().size() == 9U);
  BOOST_TEST(*tree.find_leaf_by_signature_key(leaves[3].signature_key) == 3U);
  BOOST_TEST(*tree.find_leaf_by_encryption_key(leaves[4].encryption_key) == 4U);
  BOOST_TEST(!tree.find_leaf_by_signature_key(bytes{1, 2, 3}));
  // The same keys cannot join twice.
  BOOST_CHECK_THROW(tree.add_leaf(leaves[1]), error);

  // A parent node above leaves 0..3 (as a commit from leaf 0 would leave
  // it); a leaf added under it is unmerged there, in increasing order.
  const auto path = tree.filtered_direct_path(0);
  BOOST_REQUIRE_EQUAL(path.size(), 3U);
  std::vector<bytes> keys;
  for (std::size_t i = 0; i < path.size(); ++i) keys.push_back(generate_hpke_key().public_key);
  tree.merge_path_keys(0, keys);
  BOOST_TEST(tree.parent(3)->unmerged_leaves.empty());
  tree.remove_leaf(2);
  BOOST_TEST(tree.blank(3));
  BOOST_TEST(tree.blank(7));
  BOOST_TEST(!tree.blank(1));
  BOOST_TEST(tree.resolution(3) == (std::vector<std::uint32_t>{1, 6}),
             boost::test_tools::per_element());
  BOOST_TEST(tree.add_leaf(test_leaf("again")) == 2U);
  BOOST_TEST(tree.parent(1) != nullptr);
  BOOST_TEST(tree.resolution(1) == (std::vector<std::uint32_t>{1}),
             boost::test_tools::per_element());

  // Removing the members at the right end shrinks the tree to a power of
  // two above the rightmost member.
  tree.remove_leaf(4);
  BOOST_TEST(tree.leaf_count() == 4U);
  tree.remove_leaf(3);
  tree.remove_leaf(2);
  BOOST_TEST(tree.leaf_count() == 2U);
  tree.remove_leaf(1);
  BOOST_TEST(tree.leaf_count() == 1U);
  BOOST_TEST(tree.node_count() == 1U);
  BOOST_CHECK_THROW(tree.remove_leaf(0 + 1), error);
  BOOST_TEST(tree.tree_hash().size() == hash_size);
  tree.remove_leaf(0);
  BOOST_TEST(tree.leaf_count() == 0U);
}

BOOST_AUTO_TEST_CASE(unmerged_leaves_are_checked) {
  const auto vectors = test::load_vectors("tree-validation");
  for (const auto& v : vectors) {
    auto nodes = ratchet_tree::decode(test::hex_field(v, "tree")).to_nodes();
    for (std::size_t i = 1; i < nodes.size(); i += 2) {
      if (!nodes[i] || nodes[i]->parent()->unmerged_leaves.empty()) continue;
      auto outside = nodes;
      outside[i]->parent()->unmerged_leaves.push_back(0x7FFFFFF0U);
      BOOST_CHECK_THROW(ratchet_tree::from_nodes(outside).check_unmerged_leaves(), error);
      auto twice = nodes;
      auto& list = twice[i]->parent()->unmerged_leaves;
      list.push_back(list.back());
      BOOST_CHECK_THROW(ratchet_tree::from_nodes(twice).check_unmerged_leaves(), error);
      BOOST_CHECK_NO_THROW(ratchet_tree::from_nodes(nodes).check_unmerged_leaves());
      return;
    }
  }
  BOOST_FAIL("no vector tree has unmerged leaves");
}

BOOST_AUTO_TEST_CASE(hostile_trees_throw_not_crash) {
  const auto vectors = test::load_vectors("tree-validation");
  std::size_t refused = 0;
  std::size_t tried = 0;
  for (const auto& v : vectors) {
    const auto group_id = test::hex_field(v, "group_id");
    const auto nodes = ratchet_tree::decode(test::hex_field(v, "tree")).to_nodes();
    // Every parent claims every leaf below it (blank ones too) as unmerged.
    for (std::uint32_t p = 1; p < nodes.size(); p += 2) {
      if (!nodes[p]) continue;
      for (std::uint32_t x = 0; x < nodes.size(); x += 2) {
        if (!tree_math::in_subtree(x, p)) continue;
        auto changed = nodes;
        auto& list = changed[p]->parent()->unmerged_leaves;
        const auto leaf = tree_math::node_to_leaf(x);
        if (std::find(list.begin(), list.end(), leaf) != list.end()) continue;
        list.insert(std::lower_bound(list.begin(), list.end(), leaf), leaf);
        const auto bad = ratchet_tree::from_nodes(changed);
        ++tried;
        try {
          (void)bad.verify_parent_hashes();
          (void)bad.resolution(p);
          bad.validate(group_id);
        } catch (const error&) {
          ++refused;
        }
      }
    }
  }
  BOOST_TEST(refused == tried);
  // Flipped bytes anywhere in an encoded tree: refused or harmless.
  const auto data = test::hex_field(vectors.at(8), "tree");
  std::size_t flips = 0;
  std::size_t flipped = 0;
  for (std::size_t i = 0; i < data.size(); i += 7, ++flipped) {
    auto changed = data;
    changed[i] ^= static_cast<std::uint8_t>(0x41 + i);
    try {
      const auto tree = ratchet_tree::decode(changed);
      (void)tree.tree_hash();
      (void)tree.verify_parent_hashes();
    } catch (const error&) {
      ++flips;
    }
  }
  BOOST_TEST_MESSAGE("hostile trees: " << tried << " bad unmerged lists refused, " << flips
                                       << " of " << flipped
                                       << " byte flips refused at decode or checks");
}

BOOST_AUTO_TEST_SUITE_END()
