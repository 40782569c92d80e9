// Discord voice packets: the RTP header, both transport ciphers (a known
// answer from Python's `cryptography` for AES-GCM; round trips and
// tampering for both), the extension body the rtpsize modes encrypt, and
// IP discovery.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/ip_discovery.hpp"
#include "actors/transport/discord/transport_cipher.hpp"

using namespace parley::discord;

namespace {

secret_key counting_key() {
  secret_key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return k;
}

bytes from_hex(const std::string& hex) {
  bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

const bytes opus = {'o', 'p', 'u', 's'};

}  // namespace

BOOST_AUTO_TEST_SUITE(discord_voice_packet)

BOOST_AUTO_TEST_CASE(the_header_is_version_2_opus_with_sequence_timestamp_and_ssrc) {
  const auto h = make_rtp_header(1, 960, 0x01020304);
  BOOST_CHECK(h == from_hex("80780001000003c001020304"));
}

BOOST_AUTO_TEST_CASE(aes_gcm_matches_an_independent_implementation) {
  auto c = make_cipher(aes_gcm_mode, counting_key());
  BOOST_REQUIRE(c);
  const auto packet = c->seal(make_rtp_header(1, 960, 0x01020304), opus, 7);
  // header | AES-256-GCM(key, nonce 00000007 + 8 zero bytes, aad = header) | 00000007
  BOOST_CHECK(packet == from_hex("80780001000003c001020304"
                                 "3097a1f215dc1eaa1e0c7ba3389e4559f9302f01"
                                 "00000007"));
}

BOOST_AUTO_TEST_CASE(both_modes_round_trip_and_refuse_tampering_and_wrong_keys) {
  for (const char* mode : {aes_gcm_mode, xchacha_mode}) {
    BOOST_TEST_CONTEXT(mode) {
      auto c = make_cipher(mode, counting_key());
      BOOST_REQUIRE(c);
      BOOST_CHECK_EQUAL(c->mode(), std::string(mode));
      auto packet = c->seal(make_rtp_header(65535, 48000, 42), opus, 0xFFFFFFFF);
      rtp_header h;
      std::string why;
      const auto back = open_voice_packet(*c, packet.data(), packet.size(), &h, &why);
      BOOST_REQUIRE_MESSAGE(back, why);
      BOOST_CHECK(*back == opus);
      BOOST_CHECK_EQUAL(h.sequence, 65535);
      BOOST_CHECK_EQUAL(h.timestamp, 48000U);
      BOOST_CHECK_EQUAL(h.ssrc, 42U);

      auto header_flipped = packet;
      header_flipped[3] ^= 1;  // the header is authenticated
      BOOST_CHECK(!open_voice_packet(*c, header_flipped.data(), header_flipped.size()));
      auto body_flipped = packet;
      body_flipped[13] ^= 1;
      BOOST_CHECK(!open_voice_packet(*c, body_flipped.data(), body_flipped.size(), nullptr, &why));
      BOOST_CHECK_EQUAL(why, "does not decrypt with the session key");
      auto other_key = counting_key();
      other_key[0] = 99;
      auto stranger = make_cipher(mode, other_key);
      BOOST_CHECK(!open_voice_packet(*stranger, packet.data(), packet.size()));
    }
  }
}

BOOST_AUTO_TEST_CASE(an_extension_body_is_decrypted_and_skipped) {
  auto c = make_cipher(xchacha_mode, counting_key());
  auto header = make_rtp_header(5, 0, 9);
  header[0] |= 0x10;  // X: the 4-byte extension header stays in the clear
  for (std::uint8_t b : {0xBE, 0xDE, 0x00, 0x01}) header.push_back(b);
  bytes plain = {0x10, 0xAA, 0x00, 0x00};  // one word of extension body
  plain.insert(plain.end(), opus.begin(), opus.end());
  const auto packet = c->seal(header, plain, 1);
  rtp_header h;
  const auto back = open_voice_packet(*c, packet.data(), packet.size(), &h);
  BOOST_REQUIRE(back);
  BOOST_CHECK(h.has_extension);
  BOOST_CHECK_EQUAL(h.extension_words, 1);
  BOOST_CHECK(*back == opus);

  auto lying = header;
  lying[15] = 9;  // claims nine words where there are two
  const auto long_claim = c->seal(lying, plain, 2);
  std::string why;
  BOOST_CHECK(!open_voice_packet(*c, long_claim.data(), long_claim.size(), nullptr, &why));
  BOOST_CHECK_EQUAL(why, "extension longer than the packet");
}

BOOST_AUTO_TEST_CASE(truncated_oversized_and_foreign_packets_are_refused_with_a_reason) {
  auto c = make_cipher(aes_gcm_mode, counting_key());
  const auto packet = c->seal(make_rtp_header(1, 2, 3), opus, 1);
  std::string why;
  BOOST_CHECK(!split_rtp(packet.data(), 11, &why));
  BOOST_CHECK_EQUAL(why, "shorter than an RTP header");
  BOOST_CHECK(!split_rtp(packet.data(), rtp_header_size + 19, &why));
  BOOST_CHECK_EQUAL(why, "too short for its header, a tag and a nonce");
  bytes huge(max_voice_packet + 1, 0x80);
  BOOST_CHECK(!split_rtp(huge.data(), huge.size(), &why));
  BOOST_CHECK_EQUAL(why, "packet larger than 1500 bytes");
  auto v1 = packet;
  v1[0] = 0x40;
  BOOST_CHECK(!split_rtp(v1.data(), v1.size(), &why));
  BOOST_CHECK_EQUAL(why, "not RTP version 2");
  auto csrcs = packet;
  csrcs[0] |= 0x0F;  // fifteen CSRCs: 72 bytes of header in a 36-byte packet
  BOOST_CHECK(!split_rtp(csrcs.data(), csrcs.size(), &why));
}

BOOST_AUTO_TEST_CASE(modes_are_chosen_aes_first_and_unknown_ones_refused) {
  BOOST_CHECK_EQUAL(*choose_mode({"aead_xchacha20_poly1305_rtpsize", "aead_aes256_gcm_rtpsize"}),
                    aes_gcm_mode);
  BOOST_CHECK_EQUAL(*choose_mode({"xsalsa20_poly1305", "aead_xchacha20_poly1305_rtpsize"}),
                    xchacha_mode);
  BOOST_CHECK(!choose_mode({"xsalsa20_poly1305_lite", "aead_aes256_gcm"}));
  BOOST_CHECK(!make_cipher("xsalsa20_poly1305", counting_key()));
}

BOOST_AUTO_TEST_CASE(ip_discovery_asks_with_the_ssrc_and_reads_the_answer) {
  const auto ask = ip_discovery_request(0xA1B2C3D4);
  BOOST_REQUIRE_EQUAL(ask.size(), ip_discovery_size);
  BOOST_CHECK(bytes(ask.begin(), ask.begin() + 8) == from_hex("00010046a1b2c3d4"));
  BOOST_CHECK(read_ip_discovery(ask.data(), ask.size(), 1));

  const auto answer = ip_discovery_response({0xA1B2C3D4, "203.0.113.7", 50004});
  const auto a = read_ip_discovery(answer.data(), answer.size());
  BOOST_REQUIRE(a);
  BOOST_CHECK_EQUAL(a->ssrc, 0xA1B2C3D4U);
  BOOST_CHECK_EQUAL(a->address, "203.0.113.7");
  BOOST_CHECK_EQUAL(a->port, 50004);

  BOOST_CHECK(!read_ip_discovery(answer.data(), answer.size() - 1));
  BOOST_CHECK(!read_ip_discovery(ask.data(), ask.size()));  // a request is not an answer
  auto unterminated = answer;
  std::fill(unterminated.begin() + 8, unterminated.begin() + 72, 'x');
  BOOST_CHECK(!read_ip_discovery(unterminated.data(), unterminated.size()));
}

BOOST_AUTO_TEST_SUITE_END()
