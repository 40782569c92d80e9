// The DAVE voice gateway opcodes: byte layouts as libdave, davey and
// @discordjs/voice frame them, strict refusal of anything short, long or
// out of range, and random input that must only ever be refused.

#include <boost/test/unit_test.hpp>

#include <random>

#include "actors/transport/discord/dave/dave_opcodes.hpp"
#include "tests/mls/vectors.hpp"

using namespace parley::dave;
using parley::mls::bytes;
using parley::mls::test::from_hex;
using parley::mls::test::to_hex;

namespace {

bytes filled(std::size_t n, std::uint8_t v) {
  return bytes(n, v);
}

// Every strict prefix of `whole` must be refused by `parse`.
template <class F>
void every_prefix_refused(const bytes& whole, F&& parse) {
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    BOOST_CHECK_THROW(parse(cut), parley::mls::error);
  }
}

bytes plus(bytes a, std::initializer_list<std::uint8_t> more) {
  a.insert(a.end(), more);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dave_opcodes)

BOOST_AUTO_TEST_CASE(server_frame_header) {
  const auto raw = from_hex("01021b00aabb");
  const auto f = parse_server_frame(raw.data(), raw.size());
  BOOST_TEST(f.sequence == 0x0102);
  BOOST_TEST(f.opcode == opcode::proposals);
  BOOST_TEST(to_hex(f.payload) == "00aabb");
  BOOST_TEST(to_hex(build_server_frame(0x0102, opcode::proposals, from_hex("00aabb"))) ==
             "01021b00aabb");
  BOOST_CHECK_THROW(parse_server_frame(raw.data(), 2), parley::mls::error);
  const auto header_only = parse_server_frame(raw.data(), 3);
  BOOST_TEST(header_only.payload.empty());
}

BOOST_AUTO_TEST_CASE(external_sender) {
  bytes key = filled(65, 0x11);
  key[0] = 0x04;
  const auto identity = from_hex("00010100");  // as libdave's test external sender
  const auto payload = build_external_sender(key, identity);
  BOOST_TEST(to_hex(payload) == "4041" + to_hex(key) + "0001" + "04" + "00010100");
  const auto p = parse_external_sender(payload);
  BOOST_TEST(to_hex(p.signature_key) == to_hex(key));
  BOOST_TEST(to_hex(p.identity) == "00010100");
  BOOST_TEST(to_hex(p.encoded) == to_hex(payload));

  every_prefix_refused(payload, [](const bytes& b) { return parse_external_sender(b); });
  BOOST_CHECK_THROW(parse_external_sender(plus(payload, {0})), parley::mls::error);
  auto x509 = payload;
  x509[2 + 65 + 1] = 2;  // credential type 2
  BOOST_CHECK_THROW(parse_external_sender(x509), parley::mls::error);
  BOOST_CHECK_THROW(parse_external_sender(from_hex("00000100")), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(proposals_append) {
  const auto m1 = filled(40, 0xA1);
  const auto m2 = filled(60, 0xB2);
  const auto payload = build_proposals_append({m1, m2});
  // 100 bytes of messages: a two-byte varint length.
  BOOST_TEST(to_hex(payload).substr(0, 6) == "004064");
  const auto p = parse_proposals(payload);
  BOOST_TEST(static_cast<int>(p.operation) == 0);
  BOOST_TEST(to_hex(p.messages) == to_hex(m1) + to_hex(m2));
  BOOST_TEST(p.refs.empty());

  every_prefix_refused(payload, [](const bytes& b) { return parse_proposals(b); });
  BOOST_CHECK_THROW(parse_proposals(plus(payload, {0})), parley::mls::error);
  BOOST_CHECK_THROW(parse_proposals(from_hex("0000")), parley::mls::error);    // no messages
  BOOST_CHECK_THROW(parse_proposals(from_hex("020100")), parley::mls::error);  // unknown op
  // A non-minimal varint length is refused (RFC 9420 §2.1.2).
  BOOST_CHECK_THROW(parse_proposals(from_hex("004001aa")), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(proposals_revoke) {
  const auto r1 = filled(32, 0x01);
  const auto r2 = filled(32, 0x02);
  const auto payload = build_proposals_revoke({r1, r2});
  BOOST_TEST(to_hex(payload) ==
             "01"
             "4042"
             "20" +
                 to_hex(r1) + "20" + to_hex(r2));
  const auto p = parse_proposals(payload);
  BOOST_TEST(static_cast<int>(p.operation) == 1);
  BOOST_TEST(p.refs.size() == 2U);
  BOOST_TEST(to_hex(p.refs[1]) == to_hex(r2));

  every_prefix_refused(payload, [](const bytes& b) { return parse_proposals(b); });
  BOOST_CHECK_THROW(parse_proposals(plus(payload, {0})), parley::mls::error);
  BOOST_CHECK_THROW(parse_proposals(build_proposals_revoke({filled(31, 1)})), parley::mls::error);
  BOOST_CHECK_THROW(parse_proposals(build_proposals_revoke({})), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(commit_and_welcome_transitions) {
  const auto commit = from_hex("00010001aabbcc");
  const auto payload = build_transition_message(0x0A0B, commit);
  BOOST_TEST(to_hex(payload) == "0a0b00010001aabbcc");
  const auto c = parse_announce_commit(payload);
  BOOST_TEST(c.transition_id == 0x0A0B);
  BOOST_TEST(to_hex(c.message) == to_hex(commit));
  const auto w = parse_welcome(build_transition_message(0, from_hex("0002ff")));
  BOOST_TEST(w.transition_id == 0);
  BOOST_TEST(to_hex(w.message) == "0002ff");
  for (const auto& bad : {from_hex(""), from_hex("00"), from_hex("0001")}) {
    BOOST_CHECK_THROW(parse_announce_commit(bad), parley::mls::error);
    BOOST_CHECK_THROW(parse_welcome(bad), parley::mls::error);
  }
}

BOOST_AUTO_TEST_CASE(client_frames) {
  const auto kp = from_hex("000100024041");
  BOOST_TEST(to_hex(build_key_package(kp)) == "1a000100024041");
  BOOST_TEST(to_hex(build_commit_welcome(from_hex("0001"), std::nullopt)) == "1c0001");
  BOOST_TEST(to_hex(build_commit_welcome(from_hex("0001"), from_hex("0002"))) == "1c00010002");
  BOOST_CHECK_THROW(build_key_package({}), parley::mls::error);
  BOOST_CHECK_THROW(build_commit_welcome({}, std::nullopt), parley::mls::error);
  const auto raw = build_key_package(kp);
  const auto f = parse_client_frame(raw.data(), raw.size());
  BOOST_TEST(f.opcode == opcode::key_package);
  BOOST_TEST(to_hex(f.payload) == to_hex(kp));
  BOOST_CHECK_THROW(parse_client_frame(raw.data(), 0), parley::mls::error);
}

BOOST_AUTO_TEST_CASE(json_opcodes) {
  const auto p = parse_prepare_transition(
      R"({"op":21,"seq":4,"d":{"transition_id":10,"protocol_version":0}})");
  BOOST_TEST(p.transition_id == 10);
  BOOST_TEST(p.protocol_version == 0);
  BOOST_TEST(parse_execute_transition(R"({"op":22,"d":{"transition_id":65535}})") == 65535);
  const auto e =
      parse_prepare_epoch(R"({"op":24,"d":{"protocol_version":1,"epoch":18446744073709551615}})");
  BOOST_TEST(e.protocol_version == 1);
  BOOST_TEST(e.epoch == ~std::uint64_t{0});

  BOOST_TEST(build_transition_ready(10) == R"({"d":{"transition_id":10},"op":23})");
  BOOST_TEST(build_invalid_commit_welcome(32) == R"({"d":{"transition_id":32},"op":31})");
  BOOST_TEST(parse_transition_id(build_transition_ready(7), opcode::transition_ready) == 7);
  BOOST_TEST(parse_transition_id(build_invalid_commit_welcome(9), 31) == 9);
  BOOST_TEST(parse_prepare_transition(build_prepare_transition({3, 1})).transition_id == 3);
  BOOST_TEST(parse_execute_transition(build_execute_transition(3)) == 3);
  BOOST_TEST(parse_prepare_epoch(build_prepare_epoch({1, 1})).epoch == 1U);

  for (const char* bad : {
           "not json",
           "[21]",
           R"({"op":22,"d":{"transition_id":10}})",                          // wrong op
           R"({"d":{"transition_id":10,"protocol_version":0}})",             // no op
           R"({"op":21})",                                                   // no d
           R"({"op":21,"d":{"transition_id":10}})",                          // no version
           R"({"op":21,"d":{"transition_id":-1,"protocol_version":0}})",     // negative
           R"({"op":21,"d":{"transition_id":65536,"protocol_version":0}})",  // too large
           R"({"op":21,"d":{"transition_id":"10","protocol_version":0}})",   // a string
           R"({"op":21,"d":{"transition_id":1.5,"protocol_version":0}})",    // a fraction
           R"({"op":21,"d":{"transition_id":1,"protocol_version":256}})",
       })
    BOOST_CHECK_THROW(parse_prepare_transition(bad), parley::mls::error);
  BOOST_CHECK_THROW(parse_prepare_epoch(R"({"op":24,"d":{"protocol_version":1}})"),
                    parley::mls::error);
  BOOST_CHECK_THROW(parse_prepare_epoch(R"({"op":24,"d":{"protocol_version":1,"epoch":-1}})"),
                    parley::mls::error);
}

BOOST_AUTO_TEST_CASE(random_input_is_only_refused) {
  std::mt19937 rng(7);
  std::size_t parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    bytes b(rng() % 80);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (!b.empty() && i % 3 == 0) b[0] = static_cast<std::uint8_t>(rng() % 2);  // a valid op
    const auto attempt = [&](auto&& parse) {
      try {
        parse(b);
        ++parsed;
      } catch (const parley::mls::error&) {
      }
    };
    attempt([](const bytes& x) { return parse_external_sender(x); });
    attempt([](const bytes& x) { return parse_proposals(x); });
    attempt([](const bytes& x) { return parse_announce_commit(x); });
    attempt([](const bytes& x) { return parse_welcome(x); });
    attempt([](const bytes& x) { return parse_server_frame(x.data(), x.size()); });
    const std::string text(b.begin(), b.end());
    attempt([&](const bytes&) { return parse_prepare_transition(text); });
  }
  BOOST_TEST_MESSAGE("random inputs accepted by some parser: " << parsed);
  BOOST_TEST(parsed > 0U);  // the loop ran; that nothing crashed is the check
}

BOOST_AUTO_TEST_SUITE_END()
