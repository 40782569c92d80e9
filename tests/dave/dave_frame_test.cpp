// DAVE's media frames: ULEB128, the footer layout (known answers computed
// independently with Node's AES-128-GCM from the ratchet's known keys),
// the encryptor's first frame byte for byte, and the decryptor's refusals:
// any flipped byte, a replay, a truncated or inconsistent footer, frames of
// an epoch past its transition window, unencrypted frames outside
// passthrough.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <limits>
#include <ostream>
#include <random>

#include "actors/transport/discord/dave/frame_cipher.hpp"
#include "actors/transport/discord/dave/leb128.hpp"
#include "tests/mls/vectors.hpp"

namespace parley::dave {
std::ostream& operator<<(std::ostream& out, decrypt_status s) {
  return out << to_string(s);
}
}  // namespace parley::dave

using namespace parley::dave;
using parley::mls::bytes;
using parley::mls::test::from_hex;
using namespace std::chrono_literals;

namespace {

using clock_type = frame_decryptor::clock;
const auto t0 = clock_type::time_point{} + 1h;

// libdave's cryptor test frame.
const char* opus_hex =
    "0dc5aedd5bdc3f20be5697e54dd1f437b896a36f858c6f20bbd69e2a493ca170c4f0c1b9acd4"
    "9d324b92afa788d09b12b29115a2feb3552b60fff983234a6c9608af3933683efc6b0f5579a9";
// It sealed with generation 0's key of base secret 00..0f under nonce 1.
const char* sealed_hex =
    "d61bad3effcbba65e63a90523e802c60059b7e1512991f657953a957885a5a75710cb044ef15017472ef5d127f9b"
    "8536ca6aa3df8d5b28f74ac6baafc23313b969c52f79f3715c5eb9c473b26064058ccb1b6e6d010cfafa";

bytes base_secret(std::uint8_t first = 0) {
  bytes b;
  for (int i = 0; i < 16; ++i) b.push_back(static_cast<std::uint8_t>(first + i));
  return b;
}

media_frame frame_of(const char* hex) {
  const auto b = from_hex(hex);
  return media_frame(b.begin(), b.end());
}

std::string hex(const media_frame& f) {
  return parley::mls::test::to_hex(bytes(f.begin(), f.end()));
}

std::string hex(const std::optional<media_frame>& f) {
  return f ? hex(*f) : "(none)";
}

media_frame leb(std::uint64_t v) {
  media_frame out;
  write_leb128(v, out);
  return out;
}

std::optional<std::uint64_t> read_all(const media_frame& in) {
  const std::uint8_t* at = in.data();
  auto v = read_leb128(at, in.data() + in.size());
  if (v && at != in.data() + in.size()) return std::nullopt;
  return v;
}

frame_decryptor decryptor_for(const bytes& secret, clock_type::time_point now = t0) {
  frame_decryptor d;
  d.transition_to_key_ratchet(key_ratchet(secret), transition_expiry, now);
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dave_frame)

BOOST_AUTO_TEST_CASE(leb128_round_trips) {
  for (std::uint64_t v : std::vector<std::uint64_t>{0, 1, 127, 128, 300, 16383, 16384, 0xFFFFFFFF,
                                                    std::uint64_t{1} << 63,
                                                    std::numeric_limits<std::uint64_t>::max()}) {
    const auto e = leb(v);
    BOOST_TEST(e.size() == leb128_size(v));
    BOOST_TEST((read_all(e) == v));
  }
  BOOST_TEST(hex(leb(300)) == "ac02");
  BOOST_TEST(hex(leb(0x01000005)) == "85808008");
  BOOST_TEST(leb128_size(std::numeric_limits<std::uint64_t>::max()) == leb128_max_size);
}

BOOST_AUTO_TEST_CASE(leb128_refuses_truncation_and_overflow) {
  const media_frame cut{0x80};
  const std::uint8_t* at = cut.data();
  BOOST_TEST(!read_leb128(at, cut.data() + cut.size()));
  BOOST_TEST(at == cut.data());  // nothing consumed on failure
  BOOST_TEST(!read_all({}));
  media_frame too_big(9, 0xFF);
  too_big.push_back(0x02);  // bit 64
  BOOST_TEST(!read_all(too_big));
  media_frame too_long(10, 0x80);
  too_long.push_back(0x00);
  BOOST_TEST(!read_all(too_long));
  BOOST_TEST((read_all({0x80, 0x00}) == 0U));  // padded, as libdave reads it
}

BOOST_AUTO_TEST_CASE(footer_layout_known_answer) {
  const auto key = key_ratchet(base_secret()).key(0);
  const auto opus = frame_of(opus_hex);
  const auto sealed = seal_frame(key, 1, opus.data(), opus.size());
  BOOST_TEST(hex(sealed) == sealed_hex);

  const auto parsed = parse_protocol_frame(sealed.data(), sealed.size());
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed->nonce == 1U);
  BOOST_TEST(parsed->media_size == opus.size());
  BOOST_TEST(parsed->ranges.empty());
  BOOST_TEST(hex(open_frame(key, *parsed, sealed.data())) == opus_hex);

  const auto iv = gcm_nonce(0x04030201);
  BOOST_TEST(hex(media_frame(iv.begin(), iv.end())) == "000000000000000001020304");
}

BOOST_AUTO_TEST_CASE(ranges_known_answer) {
  // A VP8-like frame with its first byte left readable, generation 1.
  const auto key = key_ratchet(base_secret()).key(1);
  const auto frame = frame_of("9d012a0102030405060708090a");
  const auto sealed = seal_frame(key, 0x01000005, frame.data(), frame.size(), {{0, 1}});
  BOOST_TEST(hex(sealed) == "9db497fd70eceefd345d1350dafe5e513d9c63ebff85808008000111fafa");
  const auto parsed = parse_protocol_frame(sealed.data(), sealed.size());
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed->ranges.size() == 1U);
  BOOST_TEST(hex(open_frame(key, *parsed, sealed.data())) == hex(frame));

  // Ranges in the middle and at the end survive the trip too.
  const auto two = seal_frame(key, 9, frame.data(), frame.size(), {{2, 3}, {11, 2}});
  const auto p2 = parse_protocol_frame(two.data(), two.size());
  BOOST_REQUIRE(p2);
  BOOST_TEST(hex(open_frame(key, *p2, two.data())) == hex(frame));
  BOOST_CHECK_THROW(seal_frame(key, 9, frame.data(), frame.size(), {{5, 1}, {2, 1}}),
                    parley::mls::error);
  BOOST_CHECK_THROW(seal_frame(key, 9, frame.data(), frame.size(), {{12, 2}}), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(encryptor_first_frame_is_the_known_answer) {
  frame_encryptor e;
  const auto opus = frame_of(opus_hex);
  BOOST_TEST(!e.encrypt_opus(opus));  // no key, no passthrough: nothing leaves
  BOOST_TEST(e.stats().failures == 1U);

  e.set_key_ratchet(key_ratchet(base_secret()));
  BOOST_TEST(hex(e.encrypt_opus(opus)) == sealed_hex);
  const auto second = *e.encrypt_opus(opus);
  BOOST_TEST(parse_protocol_frame(second.data(), second.size())->nonce == 2U);
  BOOST_TEST(e.stats().encrypted == 2U);

  // A new epoch starts the nonce over.
  e.set_key_ratchet(key_ratchet(base_secret()));
  BOOST_TEST(hex(e.encrypt_opus(opus)) == sealed_hex);

  e.set_passthrough(true);
  BOOST_TEST(hex(e.encrypt_opus(opus)) == opus_hex);
  BOOST_TEST(e.stats().passthroughs == 1U);
}

BOOST_AUTO_TEST_CASE(round_trip_and_replay) {
  frame_encryptor e;
  e.set_key_ratchet(key_ratchet(base_secret()));
  auto d = decryptor_for(base_secret());
  const auto opus = frame_of(opus_hex);
  std::vector<media_frame> sent;
  for (int i = 0; i < 5; ++i) sent.push_back(*e.encrypt_opus(opus));

  // Out of order is fine; each frame once only.
  for (int i : {0, 2, 1, 4, 3}) {
    const auto r = d.decrypt(sent[i], t0);
    BOOST_TEST(r.status == decrypt_status::decrypted);
    BOOST_TEST(hex(r.frame) == opus_hex);
  }
  const auto again = d.decrypt(sent[2], t0);
  BOOST_TEST(!again.ok());
  BOOST_TEST(again.status == decrypt_status::replayed);
  BOOST_TEST(again.frame.empty());
  BOOST_TEST(d.stats().decrypted == 5U);
  BOOST_TEST(d.stats().replays == 1U);
  BOOST_TEST(d.stats().failures == 1U);

  // Another sender's key does not open it.
  auto other = decryptor_for(base_secret(0x40));
  BOOST_TEST(other.decrypt(sent[0], t0).status == decrypt_status::auth_failed);
}

BOOST_AUTO_TEST_CASE(any_flipped_byte_is_refused) {
  const auto sealed = frame_of(sealed_hex);
  auto d = decryptor_for(base_secret());
  std::uint64_t refused = 0;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (std::uint8_t bit : {0x01, 0x80}) {
      auto bad = sealed;
      bad[i] ^= bit;
      const auto r = d.decrypt(bad, t0);
      BOOST_TEST(!r.ok(), "byte " << i << " bit " << int(bit) << ": " << to_string(r.status));
      ++refused;
    }
  }
  BOOST_TEST(d.stats().failures == refused);
  BOOST_TEST(d.stats().decrypted == 0U);
  // None of it touched the state: the real frame still decrypts.
  BOOST_TEST(d.decrypt(sealed, t0).status == decrypt_status::decrypted);
}

BOOST_AUTO_TEST_CASE(malformed_footers_are_not_protocol_frames) {
  const auto sealed = frame_of(sealed_hex);
  const auto parses = [](const media_frame& f) {
    return parse_protocol_frame(f.data(), f.size()).has_value();
  };
  BOOST_TEST(parses(sealed));
  // Every truncation of the footer.
  for (std::size_t cut = 1; cut <= 14; ++cut)
    BOOST_TEST(!parses(media_frame(sealed.begin(), sealed.end() - cut)), "cut " << cut);
  BOOST_TEST(!parses(media_frame{0x0B, 0xFA, 0xFA}));

  const auto footer = [](std::uint8_t size_byte, media_frame body) {
    body.push_back(size_byte);
    body.push_back(0xFA);
    body.push_back(0xFA);
    return body;
  };
  const media_frame tag(8, 0x11);
  auto with = [&](media_frame media, const media_frame& after_tag) {
    auto f = media;
    f.insert(f.end(), tag.begin(), tag.end());
    f.insert(f.end(), after_tag.begin(), after_tag.end());
    return footer(static_cast<std::uint8_t>(tag.size() + after_tag.size() + 3), f);
  };
  const media_frame media(6, 0x22);
  BOOST_TEST(parses(with(media, {0x01})));                           // nonce 1, no ranges
  BOOST_TEST(parses(with(media, {0x01, 0x00, 0x02, 0x03, 0x03})));   // (0,2), (3,3)
  BOOST_TEST(parses(with({}, {0x05})));                              // empty media
  BOOST_TEST(!parses(with(media, {})));                              // no nonce
  BOOST_TEST(!parses(with(media, {0x81})));                          // nonce cut short
  BOOST_TEST(!parses(with(media, {0x80, 0x80, 0x80, 0x80, 0x10})));  // nonce above 32 bits
  BOOST_TEST(!parses(with(media, {0x01, 0x00})));                    // a range without its size
  BOOST_TEST(!parses(with(media, {0x01, 0x00, 0x07})));              // past the media
  BOOST_TEST(!parses(with(media, {0x01, 0x04, 0x01, 0x00, 0x01})));  // out of order
  BOOST_TEST(!parses(with(media, {0x01, 0x00, 0x03, 0x02, 0x01})));  // overlapping
  BOOST_TEST(!parses(with(media, {0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                                  0x01})));  // a huge offset
  auto too_small = with(media, {0x01});
  too_small[too_small.size() - 3] = 10;  // below the minimum footer
  BOOST_TEST(!parses(too_small));
  auto too_large = with(media, {0x01});
  too_large[too_large.size() - 3] = static_cast<std::uint8_t>(too_large.size() + 1);
  BOOST_TEST(!parses(too_large));

  // Refused by a decryptor not in passthrough, and counted.
  auto d = decryptor_for(base_secret());
  const media_frame cut(sealed.begin(), sealed.end() - 4);
  BOOST_TEST(d.decrypt(cut, t0).status == decrypt_status::unencrypted);
  BOOST_TEST(d.stats().failures == 1U);
}

BOOST_AUTO_TEST_CASE(previous_epoch_decrypts_only_within_the_window) {
  const auto opus = frame_of(opus_hex);
  frame_encryptor old_sender;
  old_sender.set_key_ratchet(key_ratchet(base_secret(0)));
  const auto early = *old_sender.encrypt_opus(opus);
  const auto late = *old_sender.encrypt_opus(opus);

  auto d = decryptor_for(base_secret(0), t0);
  const auto change = t0 + 60s;
  d.transition_to_key_ratchet(key_ratchet(base_secret(0x40)), transition_expiry, change);
  BOOST_TEST(d.ratchets() == 2U);

  frame_encryptor new_sender;
  new_sender.set_key_ratchet(key_ratchet(base_secret(0x40)));
  BOOST_TEST(d.decrypt(*new_sender.encrypt_opus(opus), change).status == decrypt_status::decrypted);
  BOOST_TEST(d.decrypt(early, change + 9s).status == decrypt_status::decrypted);
  BOOST_TEST(d.decrypt(late, change + 11s).status == decrypt_status::auth_failed);
  BOOST_TEST(d.ratchets() == 1U);
  BOOST_TEST(d.decrypt(*new_sender.encrypt_opus(opus), change + 11s).status ==
             decrypt_status::decrypted);

  // A downgrade: no new ratchet, the held one expires.
  d.expire_key_ratchets(transition_expiry, change + 20s);
  BOOST_TEST(d.decrypt(*new_sender.encrypt_opus(opus), change + 31s).status ==
             decrypt_status::no_key);
}

BOOST_AUTO_TEST_CASE(passthrough_only_while_allowed) {
  const auto opus = frame_of(opus_hex);
  frame_decryptor d;
  BOOST_TEST(d.decrypt(opus, t0).status == decrypt_status::unencrypted);
  d.set_passthrough(true, transition_expiry, t0);
  auto r = d.decrypt(opus, t0 + 1000s);
  BOOST_TEST(r.status == decrypt_status::passthrough);
  BOOST_TEST(hex(r.frame) == opus_hex);
  d.set_passthrough(false, transition_expiry, t0 + 2000s);
  BOOST_TEST(d.decrypt(opus, t0 + 2009s).ok());
  BOOST_TEST(d.decrypt(opus, t0 + 2011s).status == decrypt_status::unencrypted);
  // Turning it off again never extends the window.
  d.set_passthrough(false, 1000s, t0 + 2012s);
  BOOST_TEST(!d.passthrough_allowed(t0 + 2013s));
  BOOST_TEST(d.stats().passthroughs == 2U);
  BOOST_TEST(d.stats().failures == 2U);

  // The SFU's silence passes regardless, and a protocol frame is never
  // passed through as it is.
  const media_frame silence{0xF8, 0xFF, 0xFE};
  BOOST_TEST(d.decrypt(silence, t0).status == decrypt_status::silence);
  d.set_passthrough(true, transition_expiry, t0);
  BOOST_TEST(d.decrypt(frame_of(sealed_hex), t0).status == decrypt_status::no_key);
}

BOOST_AUTO_TEST_CASE(generations_advance_and_wrap) {
  // 256 generations take 2^32 frames: only reachable after ~300 days.
  const auto born = t0;
  const auto now = born + 24h * 400;
  auto d = decryptor_for(base_secret(), born);
  key_ratchet keys(base_secret());
  const auto opus = frame_of(opus_hex);
  const auto send = [&](std::uint32_t generation, std::uint32_t nonce) {
    return seal_frame(keys.key(generation), nonce, opus.data(), opus.size());
  };
  BOOST_TEST(d.decrypt(send(0, 7), now).ok());
  BOOST_TEST(d.decrypt(send(1, 0x01000000), now).ok());
  BOOST_TEST(d.decrypt(send(200, 0xC8000001), now).ok());
  BOOST_TEST(d.decrypt(send(254, 0xFE000001), now).ok());
  BOOST_TEST(d.decrypt(send(255, 0xFF000001), now).ok());
  // Generation 254 expires; then the nonce wraps to 0 and generation 256.
  BOOST_TEST(d.decrypt(send(255, 0xFF000002), now + 11s).ok());
  BOOST_TEST(d.decrypt(send(256, 0x00000001), now + 12s).ok());
  BOOST_TEST(d.decrypt(send(0, 0x00000002), now + 12s).status == decrypt_status::auth_failed);
  // Far beyond the newest generation: refused before any key is derived.
  BOOST_TEST(d.decrypt(send(256 + 251, 0xFB000001), now + 12s).status == decrypt_status::no_key);
}

BOOST_AUTO_TEST_CASE(random_frames_are_refused_without_harm) {
  std::mt19937 rng(11);
  auto d = decryptor_for(base_secret());
  std::uint64_t tried = 0;
  for (int i = 0; i < 20000; ++i) {
    media_frame f(rng() % 64);
    for (auto& x : f) x = static_cast<std::uint8_t>(rng());
    if (f.size() >= 3) {
      // Mostly well-marked footers with plausible sizes, to get past the
      // marker check into the nonce and range parsing.
      f[f.size() - 1] = f[f.size() - 2] = 0xFA;
      f[f.size() - 3] = static_cast<std::uint8_t>(11 + rng() % 12);
    }
    const auto r = d.decrypt(f, t0);
    BOOST_TEST(!r.ok());
    ++tried;
  }
  BOOST_TEST(d.stats().failures == tried);
}

BOOST_AUTO_TEST_SUITE_END()
