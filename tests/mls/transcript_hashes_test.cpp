// Transcript hashes and the confirmation tag (RFC 9420 §8.2) against
// transcript-hashes.json: the commit's tag verifies under confirmation_key,
// and the confirmed and interim hashes advance as the vectors say.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/mls/transcript.hpp"
#include "actors/transport/discord/mls/wire.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::mls;
using namespace parley::mls::test;

BOOST_AUTO_TEST_SUITE(mls_transcript_hashes)

BOOST_AUTO_TEST_CASE(vectors) {
  std::size_t checked = 0;
  for (const auto& v : load_vectors("transcript-hashes")) {
    const auto content = decode<authenticated_content>(hex_field(v, "authenticated_content"));
    BOOST_REQUIRE(content.content.type() == content_type::commit);
    BOOST_REQUIRE(content.auth.confirmation_tag.has_value());

    const auto confirmed = hex_field(v, "confirmed_transcript_hash_after");
    const auto key = hex_field(v, "confirmation_key");
    BOOST_TEST(verify_confirmation_tag(key, confirmed, *content.auth.confirmation_tag));
    BOOST_TEST(to_hex(make_confirmation_tag(key, confirmed)) ==
               to_hex(*content.auth.confirmation_tag));

    const auto next =
        next_transcript_hashes(hex_field(v, "interim_transcript_hash_before"), content);
    BOOST_TEST(to_hex(next.confirmed) ==
               v.at("confirmed_transcript_hash_after").get<std::string>());
    BOOST_TEST(to_hex(next.interim) == v.at("interim_transcript_hash_after").get<std::string>());

    // A tag under another key, or over another hash, is refused.
    auto other_key = key;
    other_key[0] ^= 1;
    BOOST_TEST(!verify_confirmation_tag(other_key, confirmed, *content.auth.confirmation_tag));
    auto other_hash = confirmed;
    other_hash[5] ^= 1;
    BOOST_TEST(!verify_confirmation_tag(key, other_hash, *content.auth.confirmation_tag));
    ++checked;
  }
  BOOST_TEST_MESSAGE("transcript hashes: checked " << checked << " commits");
  BOOST_TEST(checked > 0U);
}

BOOST_AUTO_TEST_CASE(only_commits_advance_the_transcript) {
  authenticated_content content;
  content.content.content = bytes{1, 2, 3};
  BOOST_CHECK_THROW(next_confirmed_transcript_hash(bytes(32, 0), content), error);
}

BOOST_AUTO_TEST_SUITE_END()
