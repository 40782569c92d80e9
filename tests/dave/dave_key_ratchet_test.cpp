// DAVE's per-sender key ratchet: known answers computed independently (a
// Python HKDF over RFC 9420's ExpandWithLabel, mlspp HashRatchet's
// construction), the exporter context, generation wrapping as libdave's
// CryptorManager tests state it, and the receive-side window: old
// generations expire, nonces are accepted once, far generations refused.

#include <boost/test/unit_test.hpp>

#include <chrono>

#include "actors/transport/discord/dave/key_ratchet.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::dave;
using parley::mls::bytes;
using parley::mls::test::from_hex;
using parley::mls::test::to_hex;
using namespace std::chrono_literals;

namespace {

bytes base_secret() {
  bytes b;
  for (int i = 0; i < 16; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}

using clock_type = receive_keys::clock;
// Long enough after creation that any generation below ~250 is reachable
// at the fastest frame rate.
const auto started = clock_type::time_point{} + 1h;
const auto much_later = started + 24h * 365;

std::uint32_t nonce_of(std::uint32_t generation, std::uint32_t counter) {
  return (generation << generation_shift) | counter;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dave_key_ratchet)

BOOST_AUTO_TEST_CASE(known_answers) {
  key_ratchet r(base_secret());
  BOOST_TEST(to_hex(r.key(0)) == "58fc013108dbf996ef651e3f01658bfb");
  BOOST_TEST(to_hex(r.key(1)) == "9cddc08f0c8a7cfecabfe757dc33b039");
  BOOST_TEST(to_hex(r.key(2)) == "ef2427778fb709d7d1e070846f920024");
  BOOST_TEST(to_hex(r.key(256)) == "7b2a094d6139c0fac17726382fddcce0");
  BOOST_TEST(to_hex(r.key(255)) == "c15155122db6f2bc0941e75952c9f273");  // kept on the way
  BOOST_TEST(to_hex(r.key(299)) == "6db5a612e98db487d365d7a53ec1e96e");
}

BOOST_AUTO_TEST_CASE(erased_keys_stay_erased) {
  key_ratchet r(base_secret());
  r.key(3);
  BOOST_TEST(r.kept() == 4U);
  r.erase(1);
  BOOST_CHECK_THROW(r.key(1), parley::mls::error);
  BOOST_TEST(to_hex(r.key(2)) == "ef2427778fb709d7d1e070846f920024");
  BOOST_CHECK_THROW(r.key(5 + key_ratchet::max_step), parley::mls::error);
  BOOST_CHECK_THROW(key_ratchet(bytes{}), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(exporter_context_is_little_endian) {
  BOOST_TEST(to_hex(sender_key_context(0x0102030405060708ULL)) == "0807060504030201");
  BOOST_TEST(to_hex(sender_key_context(158049329150427136ULL)) == "0000000907813102");
  BOOST_TEST(std::string(sender_key_label) == "Discord Secure Frames v0");
}

BOOST_AUTO_TEST_CASE(generation_wrap_as_libdave) {
  BOOST_TEST(wrapped_generation(0, 0) == 0U);
  BOOST_TEST(wrapped_generation(0, 1) == 1U);
  BOOST_TEST(wrapped_generation(0, 250) == 250U);
  BOOST_TEST(wrapped_generation(11 * 256 + 42, 42) == 11U * 256 + 42);
  BOOST_TEST(wrapped_generation(11 * 256 + 42, 50) == 11U * 256 + 50);
  BOOST_TEST(wrapped_generation(11 * 256 + 42, 10) == 12U * 256 + 10);
}

BOOST_AUTO_TEST_CASE(nonces_are_accepted_once) {
  receive_keys k(key_ratchet(base_secret()), started);
  BOOST_TEST(k.fresh(0, 0));
  BOOST_TEST(k.fresh(0, 0xFFFFFFFF));
  k.accepted(0, 0, started);
  BOOST_TEST(!k.fresh(0, 0));
  BOOST_TEST(k.fresh(0, 1));
  for (std::uint32_t n : {1U, 2U, 5U, 7U}) k.accepted(0, n, started);
  for (std::uint32_t n : {0U, 1U, 2U, 5U, 7U}) BOOST_TEST(!k.fresh(0, n));
  for (std::uint32_t n : {3U, 4U, 6U, 8U}) BOOST_TEST(k.fresh(0, n));
  k.accepted(0, 4, started);
  BOOST_TEST(!k.fresh(0, 4));
  BOOST_TEST(k.fresh(0, 3));
  // Far ahead: the oldest skipped nonces fall out of memory and are refused.
  k.accepted(0, 10 + receive_keys::max_missing_nonces, started);
  for (std::uint32_t n : {3U, 6U, 8U, 9U}) BOOST_TEST(!k.fresh(0, n));
  BOOST_TEST(k.fresh(0, 10));
  BOOST_TEST(k.fresh(0, 11));
}

BOOST_AUTO_TEST_CASE(generation_gap_and_reach) {
  receive_keys k(key_ratchet(base_secret()), started);
  BOOST_TEST(k.key(0, much_later).has_value());
  BOOST_TEST(k.key(receive_keys::max_generation_gap, much_later).has_value());
  BOOST_TEST(!k.key(receive_keys::max_generation_gap + 1, much_later).has_value());
  k.accepted(receive_keys::max_generation_gap, nonce_of(receive_keys::max_generation_gap, 0),
             much_later);
  BOOST_TEST(k.key(receive_keys::max_generation_gap + 1, much_later).has_value());

  // A fresh ratchet cannot be at generation 1 yet: 2^24 frames take hours.
  receive_keys young(key_ratchet(base_secret()), started);
  BOOST_TEST(young.key(0, started).has_value());
  BOOST_TEST(!young.key(1, started + 1h).has_value());
  BOOST_TEST(young.key(1, started + 28h).has_value());
}

BOOST_AUTO_TEST_CASE(old_generations_expire) {
  receive_keys k(key_ratchet(base_secret()), started);
  const auto t = much_later;
  BOOST_TEST(k.key(0, t).has_value());
  BOOST_TEST(k.key(1, t).has_value());
  k.accepted(1, nonce_of(1, 0), t);
  // Generation 0 stays for late frames for ten seconds, then is gone.
  BOOST_TEST(k.key(0, t + 10s - 1us).has_value());
  BOOST_TEST(!k.key(0, t + 10s + 1us).has_value());
  BOOST_TEST(k.key(1, t + 1000s).has_value());
}

BOOST_AUTO_TEST_CASE(skipped_generations_are_erased_with_the_old_ones) {
  receive_keys k(key_ratchet(base_secret()), started);
  const auto t = much_later;
  BOOST_TEST(k.key(0, t).has_value());
  BOOST_TEST(k.key(5, t).has_value());
  k.accepted(5, nonce_of(5, 0), t);
  // A late frame of a skipped generation within the window still works.
  BOOST_TEST(k.key(3, t + 1s).has_value());
  BOOST_TEST(!k.key(4, t + 12s).has_value());
  BOOST_TEST(!k.key(0, t + 12s).has_value());
  BOOST_TEST(k.key(5, t + 12s).has_value());
}

BOOST_AUTO_TEST_CASE(ratchet_expiry_only_moves_earlier) {
  receive_keys k(key_ratchet(base_secret()), started);
  BOOST_TEST(!k.expired(much_later));
  k.expire_at(started + 10s);
  k.expire_at(started + 20s);
  BOOST_TEST(!k.expired(started + 10s));
  BOOST_TEST(k.expired(started + 10s + 1us));
}

BOOST_AUTO_TEST_SUITE_END()
