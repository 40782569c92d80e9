// psk_secret (RFC 9420 §8.4) against psk_secret.json: lists of 0 to 10
// external PSKs, each bound to its PreSharedKeyID, index and count.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/psk.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using namespace parley::mls::test;

BOOST_AUTO_TEST_SUITE(mls_psk_secret)

BOOST_AUTO_TEST_CASE(vectors) {
  std::size_t checked = 0;
  for (const auto& v : load_vectors("psk_secret")) {
    std::vector<psk_with_secret> psks;
    for (const auto& p : v.at("psks")) {
      psk_id id;
      id.psktype = psk_type::external;
      id.psk_id = hex_field(p, "psk_id");
      id.psk_nonce = hex_field(p, "psk_nonce");
      psks.push_back({id, hex_field(p, "psk")});
    }
    BOOST_TEST(to_hex(derive_psk_secret(psks)) == v.at("psk_secret").get<std::string>());
    ++checked;
  }
  BOOST_TEST_MESSAGE("psk_secret: checked " << checked << " lists");
  BOOST_TEST(checked > 0U);
}

BOOST_AUTO_TEST_CASE(none_is_the_zero_vector) {
  BOOST_TEST(to_hex(derive_psk_secret({})) == to_hex(bytes(hash_size, 0)));
}

BOOST_AUTO_TEST_CASE(order_matters) {
  psk_id a;
  a.psk_id = {1};
  a.psk_nonce = bytes(hash_size, 1);
  psk_id b;
  b.psk_id = {2};
  b.psk_nonce = bytes(hash_size, 2);
  const auto ab = derive_psk_secret({{a, bytes(hash_size, 3)}, {b, bytes(hash_size, 4)}});
  const auto ba = derive_psk_secret({{b, bytes(hash_size, 4)}, {a, bytes(hash_size, 3)}});
  BOOST_TEST(to_hex(ab) != to_hex(ba));
}

BOOST_AUTO_TEST_SUITE_END()
