// The key schedule (RFC 9420 §8) against the working group's
// key-schedule.json: every epoch's secrets, the exporter and external_pub,
// chaining init_secret from one epoch to the next, and a joiner who starts
// from joiner_secret reaching the same epoch.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/key_schedule.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using namespace parley::mls::test;

namespace {

// GroupContext for the vectors: version 1, suite 2, no extensions.
bytes group_context_bytes(const bytes& group_id, std::uint64_t epoch, const bytes& tree_hash,
                          const bytes& confirmed_transcript_hash) {
  tls_writer w;
  w.u16(1);
  w.u16(cipher_suite);
  w.opaque(group_id);
  w.u64(epoch);
  w.opaque(tree_hash);
  w.opaque(confirmed_transcript_hash);
  w.opaque({});
  return w.take();
}

void check_epoch(const epoch_secrets& s, const nlohmann::json& e) {
  BOOST_TEST(to_hex(s.joiner_secret) == e.at("joiner_secret").get<std::string>());
  BOOST_TEST(to_hex(s.welcome_secret) == e.at("welcome_secret").get<std::string>());
  BOOST_TEST(to_hex(s.init_secret) == e.at("init_secret").get<std::string>());
  BOOST_TEST(to_hex(s.sender_data_secret) == e.at("sender_data_secret").get<std::string>());
  BOOST_TEST(to_hex(s.encryption_secret) == e.at("encryption_secret").get<std::string>());
  BOOST_TEST(to_hex(s.exporter_secret) == e.at("exporter_secret").get<std::string>());
  BOOST_TEST(to_hex(s.epoch_authenticator) == e.at("epoch_authenticator").get<std::string>());
  BOOST_TEST(to_hex(s.external_secret) == e.at("external_secret").get<std::string>());
  BOOST_TEST(to_hex(s.confirmation_key) == e.at("confirmation_key").get<std::string>());
  BOOST_TEST(to_hex(s.membership_key) == e.at("membership_key").get<std::string>());
  BOOST_TEST(to_hex(s.resumption_psk) == e.at("resumption_psk").get<std::string>());
  BOOST_TEST(to_hex(s.external_key_pair().public_key) == e.at("external_pub").get<std::string>());

  const auto& x = e.at("exporter");
  // The label is the hex text itself, as the generators (mlspp) use it.
  const auto exported = s.exporter(x.at("label").get<std::string>(), hex_field(x, "context"),
                                   x.at("length").get<std::size_t>());
  BOOST_TEST(to_hex(exported) == x.at("secret").get<std::string>());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mls_key_schedule)

BOOST_AUTO_TEST_CASE(every_epoch_of_the_vectors) {
  std::size_t epochs = 0;
  for (const auto& v : load_vectors("key-schedule")) {
    const auto group_id = hex_field(v, "group_id");
    auto init_secret = hex_field(v, "initial_init_secret");
    std::uint64_t epoch = 0;
    for (const auto& e : v.at("epochs")) {
      const auto context = group_context_bytes(group_id, epoch, hex_field(e, "tree_hash"),
                                               hex_field(e, "confirmed_transcript_hash"));
      BOOST_TEST(to_hex(context) == e.at("group_context").get<std::string>());

      const auto psk_secret = hex_field(e, "psk_secret");
      const auto s =
          epoch_secrets::derive(init_secret, hex_field(e, "commit_secret"), psk_secret, context);
      check_epoch(s, e);

      // A joiner given only joiner_secret reaches the same epoch.
      check_epoch(epoch_secrets::from_joiner(s.joiner_secret, psk_secret, context), e);

      init_secret = s.init_secret;
      ++epoch;
      ++epochs;
    }
  }
  BOOST_TEST_MESSAGE("key schedule: checked " << epochs << " epochs");
  BOOST_TEST(epochs > 0U);
}

BOOST_AUTO_TEST_CASE(welcome_key_and_nonce_sizes) {
  const auto k = derive_welcome_key(bytes(hash_size, 7));
  BOOST_TEST(k.key.size() == aead_key_size);
  BOOST_TEST(k.nonce.size() == aead_nonce_size);
  BOOST_TEST(to_hex(k.key) != to_hex(bytes(k.key.size(), 0)));
}

BOOST_AUTO_TEST_CASE(wrong_sized_inputs_are_refused) {
  const bytes context{1, 2, 3};
  BOOST_CHECK_THROW(epoch_secrets::derive(bytes(31, 0), zero_secret(), zero_secret(), context),
                    error);
  BOOST_CHECK_THROW(epoch_secrets::derive(zero_secret(), bytes{}, zero_secret(), context), error);
  BOOST_CHECK_THROW(epoch_secrets::from_joiner(zero_secret(), bytes(33, 0), context), error);
}

BOOST_AUTO_TEST_SUITE_END()
