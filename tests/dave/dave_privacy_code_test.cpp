// Displayable codes and verification fingerprints against libdave's own
// JavaScript tests (js/__tests__), every value also reproduced with
// @snazzah/davey 0.1.12's generateDisplayableCode and
// generatePairwiseFingerprint.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/dave/privacy_code.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::dave;
using parley::mls::bytes;
using parley::mls::test::from_hex;
using parley::mls::test::to_hex;

namespace {

bytes counting(std::size_t n) {
  bytes b;
  for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dave_privacy_code)

BOOST_AUTO_TEST_CASE(displayable_codes) {
  BOOST_TEST(displayable_code(from_hex("aabbccddee"), 5, 5) == "05870");
  BOOST_TEST(displayable_code(
                 from_hex("aabbccddeebbccddeeffccddeeffaaddeeffaabbeeffaabbccffaabbccdd"), 30, 5) ==
             "058708105556138052119572494877");
  // davey: generateDisplayableCode(00..1f, 30, 5).
  BOOST_TEST(voice_privacy_code(counting(32)) == "090606058512110636351516066685");
  BOOST_TEST(displayable_code(from_hex("ffffffffffffffff"), 8, 8) == "09551615");
  // A davey group's epoch authenticator and the voicePrivacyCode it showed.
  BOOST_TEST(voice_privacy_code(from_hex("c971281145d2119b874a34e5bc925e32c868c197f1e59d70b44822c1"
                                         "b62c7029")) == "777653754640094733031880465740");
}

BOOST_AUTO_TEST_CASE(displayable_code_refusals) {
  BOOST_CHECK_THROW(displayable_code(from_hex("aabbccdd"), 5, 5), parley::mls::error);
  BOOST_CHECK_THROW(displayable_code(from_hex("aabbccdd"), 4, 3), parley::mls::error);
  BOOST_CHECK_THROW(displayable_code(counting(1024), 1023, 11), parley::mls::error);
  BOOST_CHECK_THROW(displayable_code(counting(18), 18, 9), parley::mls::error);
  BOOST_CHECK_THROW(displayable_code(counting(4), 0, 0), parley::mls::error);
  BOOST_CHECK_THROW(voice_privacy_code(counting(29)), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(key_fingerprints) {
  BOOST_TEST(to_hex(key_fingerprint(0, bytes(33, 0), 1234)) ==
             "0000" + std::string(66, '0') + "00000000000004d2");
  BOOST_TEST(to_hex(key_fingerprint(0, bytes(65, 0), 12345678)) ==
             "0000" + std::string(130, '0') + "0000000000bc614e");
  BOOST_CHECK_THROW(key_fingerprint(1, bytes(33, 0), 1234), parley::mls::error);
  BOOST_CHECK_THROW(key_fingerprint(0, bytes{}, 1234), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(pairwise_fingerprints) {
  const auto expected = from_hex(
      "8581f12c24874fc31b1c97457cc5bd29c007102d4ff78a3a7ea1b2880c6d60a4a95c02e888ae4a9cad90bfb8222d"
      "f2"
      "8829850e9e774fcc3006dc7906f20ba43c");
  const auto ab = pairwise_fingerprint(0, bytes(33, 0), 1234, bytes(65, 0), 5678);
  BOOST_TEST(to_hex(ab) == to_hex(expected));
  // Both members compute the same value.
  BOOST_TEST(to_hex(pairwise_fingerprint(0, bytes(65, 0), 5678, bytes(33, 0), 1234)) ==
             to_hex(expected));

  // Sorting is by bytes, not by who is local.
  const auto sorted = pairwise_fingerprint(0, from_hex("0064"), 1, from_hex("0014"), 2);
  BOOST_TEST(
      to_hex(sorted) ==
      "8da9c28f164816f50d8c42e49fc3656a77f045bfb2e3c27ea2ffde948a0521d7f0a7eaf595b62e140453bf1f"
      "a54afda5c7101d47c1cda99aff9a221e5eabf72b");
  BOOST_TEST(verification_code(sorted) == "888540385217029685755312237093938343205203589");
  BOOST_CHECK_THROW(pairwise_fingerprint(1, bytes(33, 0), 1, bytes(33, 0), 2), parley::mls::error);
}

BOOST_AUTO_TEST_SUITE_END()
