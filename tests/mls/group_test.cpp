// Groups as DAVE runs them: the voice gateway is the group's external
// sender and proposes every Add and Remove; members commit all cached
// proposals, the gateway announces one commit per epoch, and the
// committer applies its own when it is announced. Members added, raced,
// removed and re-added all agree on the epoch, the tree, the epoch
// authenticator and the exported media key bases. Forged or tampered
// proposals and commits are refused with the group left as it was.

#include <boost/test/unit_test.hpp>
#include <initializer_list>
#include <set>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/group_test_util.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using test::over_the_wire;
using test::to_hex;
using test::welcome_of;

namespace {

const std::uint64_t channel_id = 1234567890123456789ULL;

const parley::mls::commit& commit_of(const mls_message& message) {
  return std::get<parley::mls::commit>(message.get<public_message>()->content.content);
}

// DAVE's per-sender media key base: the exporter over the user id in
// little-endian, 16 bytes.
bytes media_key_base(const group& g, std::uint64_t user_id) {
  bytes context(8);
  for (std::size_t i = 0; i < 8; ++i) context[i] = static_cast<std::uint8_t>(user_id >> (8 * i));
  return g.export_secret("Discord Secure Frames v0", context, 16);
}

std::set<std::uint64_t> roster(const group& g) {
  std::set<std::uint64_t> ids;
  for (const auto& m : g.members()) ids.insert(*identity_user_id(m.credential.identity));
  return ids;
}

void check_agree(std::initializer_list<const group*> groups) {
  const auto& first = **groups.begin();
  for (const auto* g : groups) {
    BOOST_TEST(g->epoch() == first.epoch());
    BOOST_TEST(to_hex(g->epoch_authenticator()) == to_hex(first.epoch_authenticator()));
    BOOST_TEST(to_hex(g->tree().tree_hash()) == to_hex(first.tree().tree_hash()));
    BOOST_TEST(to_hex(media_key_base(*g, 101)) == to_hex(media_key_base(first, 101)));
    BOOST_TEST((roster(*g) == roster(first)));
  }
}

// Alice's group with Bob in it, at epoch 1.
struct two_members {
  test::gateway gw;
  member_key_package a = test::new_member(100);
  member_key_package b = test::new_member(101);
  group alice = group::create(user_id_identity(channel_id), a, gw.group_extensions());
  group bob = alice;  // replaced by the join below

  two_members() {
    alice.handle_proposal(gw.add(alice, b.package));
    const auto out = alice.commit();
    BOOST_REQUIRE(alice.handle_commit(over_the_wire(out.commit)) == commit_effect::applied);
    bob = group::join(welcome_of(out), b);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_group)

BOOST_AUTO_TEST_CASE(key_package_for_a_user) {
  const auto kp = test::new_member(80351110224678912ULL);
  const auto& leaf = kp.package.leaf_node;
  BOOST_TEST(kp.package.verify());
  BOOST_TEST(leaf.verify());
  BOOST_TEST(leaf.credential.type == credential_type::basic);
  BOOST_TEST(to_hex(leaf.credential.identity) == "011d76e8b6401000");
  BOOST_TEST(*identity_user_id(leaf.credential.identity) == 80351110224678912ULL);
  BOOST_TEST(leaf.lifetime.not_before == 0U);
  BOOST_TEST(leaf.lifetime.not_after == ~std::uint64_t{0});
  BOOST_TEST((leaf.capabilities.cipher_suites == std::vector<std::uint16_t>{2}));
  BOOST_TEST(to_hex(hpke_public_key(kp.secrets.init_private_key)) == to_hex(kp.package.init_key));
  // A given signature key is kept.
  const auto sig = generate_signature_key();
  const auto again = create_key_package(user_id_identity(5), sig.private_key);
  BOOST_TEST(to_hex(again.package.leaf_node.signature_key) == to_hex(sig.public_key));
}

BOOST_AUTO_TEST_CASE(dave_flow) {
  test::gateway gw;
  const auto a = test::new_member(100);
  const auto b = test::new_member(101);
  const auto c = test::new_member(102);

  // Initial group creation: Alice and Bob both have a pending local group;
  // the gateway proposes each into the other's, and announces Alice's
  // commit; Bob takes the Welcome instead of his own group.
  auto alice = group::create(user_id_identity(channel_id), a, gw.group_extensions());
  auto bob_alone = group::create(user_id_identity(channel_id), b, gw.group_extensions());
  BOOST_TEST(alice.epoch() == 0U);
  BOOST_TEST(external_senders_of(alice.extensions()).size() == 1U);
  alice.handle_proposal(gw.add(alice, b.package));
  bob_alone.handle_proposal(gw.add(bob_alone, a.package));
  const auto first = alice.commit();
  bob_alone.commit();
  BOOST_TEST(!commit_of(first.commit).path.has_value());  // only Adds: no path, as libdave
  BOOST_REQUIRE(first.welcome.has_value());
  BOOST_TEST(alice.epoch() == 0U);  // not before the gateway announces it
  BOOST_TEST(alice.handle_commit(over_the_wire(first.commit)) == commit_effect::applied);
  auto bob = group::join(*over_the_wire(*first.welcome).get<welcome>(), b);
  BOOST_TEST(alice.epoch() == 1U);
  check_agree({&alice, &bob});
  BOOST_TEST((roster(bob) == std::set<std::uint64_t>{100, 101}));

  // Carol: both commit, the gateway announces Bob's; Alice drops her own.
  const auto add_carol = gw.add(alice, c.package);
  alice.handle_proposal(add_carol);
  bob.handle_proposal(add_carol);
  const auto from_alice = alice.commit();
  const auto from_bob = bob.commit();
  BOOST_TEST(alice.handle_commit(over_the_wire(from_bob.commit)) == commit_effect::applied);
  BOOST_TEST(!alice.has_pending_commit());
  BOOST_TEST(bob.handle_commit(over_the_wire(from_bob.commit)) == commit_effect::applied);
  auto carol = group::join(welcome_of(from_bob), c);
  BOOST_TEST(carol.own_leaf() == 2U);
  check_agree({&alice, &bob, &carol});
  // Alice's losing commit is for an epoch that is over.
  BOOST_CHECK_THROW(bob.handle_commit(over_the_wire(from_alice.commit)), error);

  // Bob leaves: a Remove needs a path; Bob learns he is out.
  const auto before = media_key_base(alice, 100);
  const auto remove_bob = gw.remove(alice, bob.own_leaf());
  for (auto* g : {&alice, &bob, &carol}) g->handle_proposal(remove_bob);
  const auto third = carol.commit();
  BOOST_TEST(commit_of(third.commit).path.has_value());
  BOOST_TEST(!third.welcome.has_value());
  BOOST_TEST(bob.handle_commit(over_the_wire(third.commit)) == commit_effect::removed);
  BOOST_TEST(bob.removed());
  BOOST_CHECK_THROW(bob.commit(), error);
  BOOST_TEST(alice.handle_commit(over_the_wire(third.commit)) == commit_effect::applied);
  carol.apply_pending_commit();
  check_agree({&alice, &carol});
  BOOST_TEST(to_hex(media_key_base(alice, 100)) != to_hex(before));
  BOOST_TEST((roster(alice) == std::set<std::uint64_t>{100, 102}));

  // Bob comes back with a new key package into the blank leaf.
  const auto b2 = test::new_member(101);
  const auto add_bob = gw.add(alice, b2.package);
  alice.handle_proposal(add_bob);
  carol.handle_proposal(add_bob);
  const auto fourth = alice.commit();
  alice.apply_pending_commit();
  BOOST_TEST(carol.handle_commit(over_the_wire(fourth.commit)) == commit_effect::applied);
  auto bob_again = group::join(welcome_of(fourth), b2);
  BOOST_TEST(bob_again.own_leaf() == 1U);
  check_agree({&alice, &bob_again, &carol});

  // An empty commit carries a path and still agrees.
  const auto fifth = bob_again.commit();
  BOOST_TEST(commit_of(fifth.commit).path.has_value());
  for (auto* g : {&alice, &carol}) {
    BOOST_TEST(g->handle_commit(over_the_wire(fifth.commit)) == commit_effect::applied);
  }
  bob_again.apply_pending_commit();
  check_agree({&alice, &bob_again, &carol});
  BOOST_TEST(alice.epoch() == 5U);
}

BOOST_AUTO_TEST_CASE(refuses_forged_proposals) {
  two_members g;
  const auto c = test::new_member(102);

  test::gateway impostor;
  BOOST_CHECK_THROW(g.alice.handle_proposal(impostor.add(g.alice, c.package)), error);
  test::gateway unknown_index = g.gw;
  unknown_index.index = 1;
  BOOST_CHECK_THROW(g.alice.handle_proposal(unknown_index.add(g.alice, c.package)), error);
  // An external sender cannot update a member's leaf.
  BOOST_CHECK_THROW(g.alice.handle_proposal(g.gw.propose(g.alice, {update{c.package.leaf_node}})),
                    error);
  // A Remove of a leaf nobody holds.
  BOOST_CHECK_THROW(g.alice.handle_proposal(g.gw.remove(g.alice, 5)), error);
  // A key package with a broken signature.
  auto bad = c.package;
  bad.signature.back() ^= 1;
  BOOST_CHECK_THROW(g.alice.handle_proposal(g.gw.add(g.alice, bad)), error);
  // The right signer for another epoch.
  auto stale = g.gw.add(g.alice, c.package);
  stale.get<public_message>()->content.epoch = 0;
  BOOST_CHECK_THROW(g.alice.handle_proposal(stale), error);
  BOOST_TEST(g.alice.proposal_count() == 0U);

  // The same proposal twice is cached once; a revoked one is not committed.
  const auto add_carol = g.gw.add(g.alice, c.package);
  const auto ref = g.alice.handle_proposal(add_carol);
  BOOST_TEST(to_hex(g.alice.handle_proposal(add_carol)) == to_hex(ref));
  BOOST_TEST(g.alice.proposal_count() == 1U);
  BOOST_TEST(g.alice.revoke_proposal(ref));
  BOOST_TEST(!g.alice.revoke_proposal(ref));
  BOOST_TEST(commit_of(g.alice.commit().commit).proposals.empty());
}

BOOST_AUTO_TEST_CASE(refuses_tampered_commits) {
  two_members g;
  const auto c = test::new_member(102);
  const auto add_carol = g.gw.add(g.alice, c.package);
  g.alice.handle_proposal(add_carol);
  g.bob.handle_proposal(add_carol);
  commit_options options;
  options.force_path = true;
  const auto out = g.bob.commit(options);
  const auto epoch = g.alice.epoch();
  const auto authenticator = to_hex(g.alice.epoch_authenticator());

  const auto refuse = [&](const char* what, const auto& tamper) {
    BOOST_TEST_CONTEXT(what) {
      auto message = over_the_wire(out.commit);
      tamper(*message.get<public_message>());
      BOOST_CHECK_THROW(g.alice.handle_commit(message), error);
      BOOST_TEST(g.alice.epoch() == epoch);
      BOOST_TEST(to_hex(g.alice.epoch_authenticator()) == authenticator);
      BOOST_TEST(g.alice.proposal_count() == 1U);
    }
  };
  refuse("signature", [](public_message& m) { m.auth.signature.back() ^= 1; });
  refuse("membership tag", [](public_message& m) { m.membership_tag->back() ^= 1; });
  refuse("confirmation tag", [](public_message& m) { m.auth.confirmation_tag->back() ^= 1; });
  refuse("path ciphertext", [](public_message& m) {
    auto& path = *std::get<parley::mls::commit>(m.content.content).path;
    path.nodes.front().encrypted_path_secret.front().ciphertext.back() ^= 1;
  });
  refuse("sender", [](public_message& m) { m.content.sender.index = 0; });
  refuse("unknown proposal", [](public_message& m) {
    std::get<parley::mls::commit>(m.content.content).proposals.front() = {bytes(32, 7)};
  });

  // A commit not ours from our own leaf, after we dropped our own.
  const auto own = g.alice.commit();
  g.alice.discard_pending_commit();
  BOOST_CHECK_THROW(g.alice.handle_commit(over_the_wire(own.commit)), error);

  // The untouched commit still applies.
  BOOST_TEST(g.alice.handle_commit(over_the_wire(out.commit)) == commit_effect::applied);
  g.bob.apply_pending_commit();
  auto carol = group::join(welcome_of(out), c);
  check_agree({&g.alice, &g.bob, &carol});
}

BOOST_AUTO_TEST_CASE(extensions_change) {
  // The gateway hands its role to a new key with GroupContextExtensions,
  // which needs a path; afterwards only the new key is heard.
  two_members g;
  test::gateway next_gw;
  const auto change = g.gw.propose(g.alice, {group_context_extensions{next_gw.group_extensions()}});
  g.alice.handle_proposal(change);
  g.bob.handle_proposal(change);
  const auto out = g.alice.commit();
  BOOST_TEST(commit_of(out.commit).path.has_value());
  BOOST_TEST(g.bob.handle_commit(over_the_wire(out.commit)) == commit_effect::applied);
  g.alice.apply_pending_commit();
  check_agree({&g.alice, &g.bob});
  const auto senders = external_senders_of(g.bob.extensions());
  BOOST_REQUIRE(senders.size() == 1U);
  BOOST_TEST(to_hex(senders.front().signature_key) == to_hex(next_gw.key.public_key));

  const auto c = test::new_member(102);
  BOOST_CHECK_THROW(g.bob.handle_proposal(g.gw.add(g.bob, c.package)), error);
  g.bob.handle_proposal(next_gw.add(g.bob, c.package));
  BOOST_TEST(g.bob.proposal_count() == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
