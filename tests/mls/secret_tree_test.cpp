// The secret tree (RFC 9420 §9) against secret-tree.json: sender-data key
// and nonce, every leaf's handshake and application keys at the listed
// generations. Then the rules a receiver enforces: a generation is
// usable once, reordering is tolerated within a window, and leaves
// outside the tree are refused.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/secret_tree.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using namespace parley::mls::test;

namespace {

bytes secret() {
  return bytes(hash_size, 0x42);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_secret_tree)

BOOST_AUTO_TEST_CASE(vectors) {
  std::size_t checked = 0;
  for (const auto& v : load_vectors("secret-tree")) {
    const auto& sd = v.at("sender_data");
    const auto keys =
        derive_sender_data_keys(hex_field(sd, "sender_data_secret"), hex_field(sd, "ciphertext"));
    BOOST_TEST(to_hex(keys.key) == sd.at("key").get<std::string>());
    BOOST_TEST(to_hex(keys.nonce) == sd.at("nonce").get<std::string>());

    const auto& leaves = v.at("leaves");
    secret_tree tree(hex_field(v, "encryption_secret"), static_cast<std::uint32_t>(leaves.size()));
    for (std::uint32_t i = 0; i < leaves.size(); ++i) {
      for (const auto& g : leaves[i]) {
        const auto generation = g.at("generation").get<std::uint32_t>();
        const auto hs = tree.get(i, ratchet_kind::handshake, generation);
        const auto app = tree.get(i, ratchet_kind::application, generation);
        BOOST_TEST(hs.generation == generation);
        BOOST_TEST(to_hex(hs.key) == g.at("handshake_key").get<std::string>());
        BOOST_TEST(to_hex(hs.nonce) == g.at("handshake_nonce").get<std::string>());
        BOOST_TEST(to_hex(app.key) == g.at("application_key").get<std::string>());
        BOOST_TEST(to_hex(app.nonce) == g.at("application_nonce").get<std::string>());
        ++checked;
      }
    }
  }
  BOOST_TEST_MESSAGE("secret tree: checked " << checked << " leaf generations");
  BOOST_TEST(checked > 0U);
}

BOOST_AUTO_TEST_CASE(sender_and_receiver_agree) {
  secret_tree sender(secret(), 4);
  secret_tree receiver(secret(), 4);
  for (std::uint32_t g = 0; g < 3; ++g) {
    const auto sent = sender.next(3, ratchet_kind::application);
    BOOST_TEST(sent.generation == g);
    const auto got = receiver.get(3, ratchet_kind::application, g);
    BOOST_TEST(to_hex(sent.key) == to_hex(got.key));
    BOOST_TEST(to_hex(sent.nonce) == to_hex(got.nonce));
  }
  // The two ratchets of a leaf, and different leaves, differ.
  const auto hs = sender.next(3, ratchet_kind::handshake);
  const auto other = sender.next(2, ratchet_kind::handshake);
  BOOST_TEST(to_hex(hs.key) != to_hex(other.key));
}

BOOST_AUTO_TEST_CASE(a_generation_is_used_once) {
  secret_tree tree(secret(), 2);
  tree.get(1, ratchet_kind::handshake, 0);
  BOOST_CHECK_THROW(tree.get(1, ratchet_kind::handshake, 0), error);
}

BOOST_AUTO_TEST_CASE(out_of_order_within_the_window) {
  secret_tree sender(secret(), 2);
  std::vector<ratchet_key> sent;
  for (int i = 0; i < 5; ++i) sent.push_back(sender.next(0, ratchet_kind::application));

  secret_tree receiver(secret(), 2);
  const auto late = receiver.get(0, ratchet_kind::application, 4);
  BOOST_TEST(to_hex(late.key) == to_hex(sent[4].key));
  for (std::uint32_t g : {2U, 0U, 3U, 1U}) {
    BOOST_TEST(to_hex(receiver.get(0, ratchet_kind::application, g).key) == to_hex(sent[g].key));
  }
  for (std::uint32_t g = 0; g < 5; ++g) {
    BOOST_CHECK_THROW(receiver.get(0, ratchet_kind::application, g), error);
  }
}

BOOST_AUTO_TEST_CASE(too_far_ahead_or_too_old_is_refused) {
  secret_tree tree(secret(), 2);
  BOOST_CHECK_THROW(tree.get(0, ratchet_kind::handshake, hash_ratchet::max_forward + 1), error);
  // Still usable after a refusal.
  tree.get(0, ratchet_kind::handshake, hash_ratchet::max_forward);

  // Skipped keys beyond the kept window are gone.
  secret_tree far(secret(), 2);
  far.get(1, ratchet_kind::handshake, 600);
  far.get(1, ratchet_kind::handshake, 1200);
  BOOST_CHECK_THROW(far.get(1, ratchet_kind::handshake, 100), error);
  far.get(1, ratchet_kind::handshake, 300);
  far.get(1, ratchet_kind::handshake, 1199);
}

BOOST_AUTO_TEST_CASE(bad_shapes_are_refused) {
  BOOST_CHECK_THROW(secret_tree(secret(), 0), error);
  BOOST_CHECK_THROW(secret_tree(secret(), 3), error);
  BOOST_CHECK_THROW(secret_tree(bytes(16, 1), 2), error);
  secret_tree tree(secret(), 8);
  BOOST_CHECK_THROW(tree.get(8, ratchet_kind::handshake, 0), error);
  BOOST_CHECK_THROW(tree.next(100, ratchet_kind::application), error);
  // Leaf 7 after leaf 0: both reachable although the root is consumed.
  tree.get(0, ratchet_kind::handshake, 0);
  tree.get(7, ratchet_kind::handshake, 0);
}

BOOST_AUTO_TEST_SUITE_END()
