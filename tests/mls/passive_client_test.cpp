// A passive member against the working group's passive-client vectors: it
// joins from a Welcome (the ratchet tree inline or given apart, with
// external PSKs), then follows every epoch's proposals and commit —
// Adds, Updates and Removes from members, PSKs, GroupContextExtensions,
// commits with and without a path — and agrees with the epoch
// authenticator each time.

#include <boost/test/unit_test.hpp>
#include <string>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/group_test_util.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using test::hex_field;
using test::to_hex;

namespace {

member_key_package load_self(const nlohmann::json& v) {
  const auto message = decode<mls_message>(hex_field(v, "key_package"));
  BOOST_REQUIRE(message.get<key_package>() != nullptr);
  member_key_package self{
      *message.get<key_package>(),
      {hex_field(v, "signature_priv"), hex_field(v, "encryption_priv"), hex_field(v, "init_priv")}};
  // The private keys are those of the key package.
  const auto& leaf = self.package.leaf_node;
  BOOST_TEST(to_hex(signature_public_key(self.secrets.signature_private_key)) ==
             to_hex(leaf.signature_key));
  BOOST_TEST(to_hex(hpke_public_key(self.secrets.encryption_private_key)) ==
             to_hex(leaf.encryption_key));
  BOOST_TEST(to_hex(hpke_public_key(self.secrets.init_private_key)) ==
             to_hex(self.package.init_key));
  return self;
}

external_psks load_psks(const nlohmann::json& v) {
  external_psks psks;
  for (const auto& psk : v.at("external_psks"))
    psks[hex_field(psk, "psk_id")] = hex_field(psk, "psk");
  return psks;
}

group join(const nlohmann::json& v) {
  const auto message = decode<mls_message>(hex_field(v, "welcome"));
  BOOST_REQUIRE(message.get<welcome>() != nullptr);
  std::optional<tree_nodes> tree;
  if (!v.at("ratchet_tree").is_null()) tree = decode_tree(hex_field(v, "ratchet_tree"));
  return group::join(*message.get<welcome>(), load_self(v), tree, load_psks(v));
}

// Joins and follows every epoch; returns how many epochs it followed.
std::size_t follow(const nlohmann::json& v) {
  auto g = join(v);
  BOOST_TEST(to_hex(g.epoch_authenticator()) ==
             v.at("initial_epoch_authenticator").get<std::string>());
  std::size_t epochs = 0;
  for (const auto& epoch : v.at("epochs")) {
    for (const auto& proposal : epoch.at("proposals")) {
      g.handle_proposal(decode<mls_message>(test::from_hex(proposal.get<std::string>())));
    }
    const auto before = g.epoch();
    BOOST_TEST(g.handle_commit(decode<mls_message>(hex_field(epoch, "commit"))) ==
               commit_effect::applied);
    BOOST_TEST(g.epoch() == before + 1);
    BOOST_TEST(to_hex(g.epoch_authenticator()) ==
               epoch.at("epoch_authenticator").get<std::string>());
    ++epochs;
  }
  return epochs;
}

void run(const std::string& file) {
  const auto vectors = test::load_vectors(file);
  BOOST_REQUIRE(!vectors.empty());
  std::size_t entries = 0;
  std::size_t epochs = 0;
  for (const auto& v : vectors) {
    BOOST_TEST_CONTEXT(file << " entry " << entries) {
      epochs += follow(v);
    }
    ++entries;
  }
  BOOST_TEST_MESSAGE(file << ": " << entries << " entries joined, " << epochs
                          << " epochs followed, none skipped");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_passive_client)

BOOST_AUTO_TEST_CASE(welcome) {
  run("passive-client-welcome");
}

BOOST_AUTO_TEST_CASE(handling_commit) {
  run("passive-client-handling-commit");
}

BOOST_AUTO_TEST_SUITE_END()
