// Welcomes against the working group's welcome vectors: the GroupSecrets
// for the key package open with its init key, the GroupInfo they decrypt
// is signed by the signer and its confirmation tag follows from the
// joiner secret. Then Welcomes of our own making: a new member joins with
// the tree inline or given apart, and a Welcome that is tampered with, for
// another key package, or without any tree is refused.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/transcript.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/group_test_util.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using test::hex_field;
using test::to_hex;

namespace {

// A group of A at epoch 1 with B just added: the commit adding B and its
// Welcome, A having moved to epoch 1.
struct added_member {
  test::gateway gw;
  member_key_package a = test::new_member(1001);
  member_key_package b = test::new_member(1002);
  group alice = group::create(user_id_identity(42), a, gw.group_extensions());
  commit_output out;

  explicit added_member(const commit_options& options = {}) {
    alice.handle_proposal(gw.add(alice, b.package));
    out = alice.commit(options);
    alice.apply_pending_commit();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_welcome)

BOOST_AUTO_TEST_CASE(vectors) {
  const auto vectors = test::load_vectors("welcome");
  BOOST_REQUIRE(!vectors.empty());
  for (const auto& v : vectors) {
    const auto package_message = decode<mls_message>(hex_field(v, "key_package"));
    const auto welcome_message = decode<mls_message>(hex_field(v, "welcome"));
    BOOST_REQUIRE(package_message.get<key_package>() != nullptr);
    BOOST_REQUIRE(welcome_message.get<welcome>() != nullptr);
    const auto& package = *package_message.get<key_package>();
    const auto& message = *welcome_message.get<welcome>();

    const auto opened = open_welcome(message, package, hex_field(v, "init_priv"));
    BOOST_TEST(opened.secrets.psks.empty());
    BOOST_TEST(opened.info.verify(hex_field(v, "signer_pub")));
    const auto& context = opened.info.group_context;
    const auto secrets =
        epoch_secrets::from_joiner(opened.secrets.joiner_secret, zero_secret(), encode(context));
    BOOST_TEST(verify_confirmation_tag(secrets.confirmation_key, context.confirmed_transcript_hash,
                                       opened.info.confirmation_tag));

    // Another init key cannot open it; another signer did not sign it.
    BOOST_CHECK_THROW(open_welcome(message, package, generate_hpke_key().private_key), error);
    BOOST_TEST(!opened.info.verify(generate_signature_key().public_key));
  }
}

BOOST_AUTO_TEST_CASE(joins_with_inline_tree) {
  added_member g;
  BOOST_REQUIRE(g.out.welcome);
  const auto message = test::over_the_wire(*g.out.welcome);
  auto bob = group::join(*message.get<welcome>(), g.b);
  BOOST_TEST(bob.epoch() == 1U);
  BOOST_TEST(bob.own_leaf() == 1U);
  BOOST_TEST(to_hex(bob.epoch_authenticator()) == to_hex(g.alice.epoch_authenticator()));
  BOOST_TEST(to_hex(bob.tree().tree_hash()) == to_hex(g.alice.tree().tree_hash()));
  BOOST_TEST(bob.members().size() == 2U);
}

BOOST_AUTO_TEST_CASE(joins_with_tree_given_apart) {
  commit_options options;
  options.inline_tree = false;
  added_member g(options);
  const auto& message = test::welcome_of(g.out);
  BOOST_CHECK_THROW(group::join(message, g.b), error);
  auto bob = group::join(message, g.b, g.alice.tree().to_nodes());
  BOOST_TEST(to_hex(bob.epoch_authenticator()) == to_hex(g.alice.epoch_authenticator()));
}

BOOST_AUTO_TEST_CASE(refuses_bad_welcomes) {
  added_member g;
  const auto& message = test::welcome_of(g.out);

  auto tampered = message;
  tampered.encrypted_group_info.back() ^= 1;
  BOOST_CHECK_THROW(group::join(tampered, g.b), error);

  auto bad_secrets = message;
  bad_secrets.secrets.front().encrypted_group_secrets.ciphertext.front() ^= 1;
  BOOST_CHECK_THROW(group::join(bad_secrets, g.b), error);

  const auto stranger = test::new_member(1003);
  BOOST_CHECK_THROW(group::join(message, stranger), error);

  // The right key package but another leaf key: our leaf would not match.
  auto wrong_leaf_key = g.b;
  wrong_leaf_key.secrets.encryption_private_key = generate_hpke_key().private_key;
  BOOST_CHECK_THROW(group::join(message, wrong_leaf_key), error);
}

BOOST_AUTO_TEST_CASE(path_secret_reaches_new_member) {
  // A commit that both removes and adds has a path; the new member gets
  // the path secret of its common ancestor with the committer.
  test::gateway gw;
  const auto a = test::new_member(1);
  const auto b = test::new_member(2);
  const auto c = test::new_member(3);
  auto alice = group::create(user_id_identity(7), a, gw.group_extensions());
  alice.handle_proposal(gw.add(alice, b.package));
  auto first = alice.commit();
  alice.apply_pending_commit();
  auto bob = group::join(test::welcome_of(first), b);

  // The gateway sends each proposal once, to everyone.
  const auto remove_bob = gw.remove(alice, 1);
  const auto add_carol = gw.add(alice, c.package);
  for (auto* g : {&alice, &bob}) g->handle_proposal(remove_bob);
  for (auto* g : {&alice, &bob}) g->handle_proposal(add_carol);
  const auto second = alice.commit();
  BOOST_REQUIRE(second.commit.get<public_message>() != nullptr);
  BOOST_TEST(std::get<parley::mls::commit>(second.commit.get<public_message>()->content.content)
                 .path.has_value());
  const auto opened = open_welcome(test::welcome_of(second), c.package, c.secrets.init_private_key);
  BOOST_TEST(opened.secrets.path_secret.has_value());
  BOOST_TEST(bob.handle_commit(test::over_the_wire(second.commit)) == commit_effect::removed);
  alice.apply_pending_commit();
  auto carol = group::join(test::welcome_of(second), c);
  BOOST_TEST(carol.own_leaf() == 1U);
  BOOST_TEST(to_hex(carol.epoch_authenticator()) == to_hex(alice.epoch_authenticator()));
}

BOOST_AUTO_TEST_CASE(external_psk_reaches_new_member) {
  // A PSK proposal committed with an Add: the new member needs the PSK
  // too, named in its GroupSecrets.
  test::gateway gw;
  const auto a = test::new_member(1);
  const auto b = test::new_member(2);
  auto alice = group::create(user_id_identity(7), a, gw.group_extensions());
  const std::string name = "shared psk";
  const bytes id(name.begin(), name.end());
  const auto secret = random_bytes(32);
  alice.add_external_psk(id, secret);

  psk_id unknown;
  unknown.psk_id = random_bytes(4);
  unknown.psk_nonce = random_bytes(32);
  BOOST_CHECK_THROW(alice.handle_proposal(gw.propose(alice, {pre_shared_key{unknown}})), error);

  psk_id known = unknown;
  known.psk_id = id;
  alice.handle_proposal(gw.propose(alice, {pre_shared_key{known}}));
  alice.handle_proposal(gw.add(alice, b.package));
  const auto out = alice.commit();
  alice.apply_pending_commit();
  const auto& message = test::welcome_of(out);
  BOOST_CHECK_THROW(group::join(message, b), error);
  auto bob = group::join(message, b, std::nullopt, {{id, secret}});
  BOOST_TEST(to_hex(bob.epoch_authenticator()) == to_hex(alice.epoch_authenticator()));
}

BOOST_AUTO_TEST_SUITE_END()
