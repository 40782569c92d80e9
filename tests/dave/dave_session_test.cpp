// dave_session against a voice gateway played in process: the call's group
// forms, grows and shrinks with epochs every member agrees on; media
// encrypted by one member is decrypted by the others and by no one outside;
// a bad Welcome is reported and recovered from; tampered frames are refused.

#include <boost/test/unit_test.hpp>

#include "actors/transport/discord/dave/dave_session.hpp"
#include "gateway_double.hpp"

using parley::dave::dave_session;
using parley::dave::frame;
using parley::dave::test::gateway_double;

namespace {

struct call {
  gateway_double gateway{1234567890123456789ULL};
  std::vector<std::string> log;
  dave_session make(const std::string& user) {
    return dave_session(user, "1234567890123456789",
                        [this](const std::string& what, const std::string& why) {
                          log.push_back(what + ": " + why);
                        });
  }
};

const frame opus = {0x78, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

// `from` encrypts a frame; `to` decrypts it as from `from_id`.
bool heard(dave_session& from, dave_session& to, const std::string& from_id) {
  auto sealed = from.encrypt(opus);
  if (!sealed || *sealed == opus) return false;
  auto opened = to.decrypt(from_id, *sealed);
  return opened && *opened == opus;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(dave_session_with_a_gateway, call)

BOOST_AUTO_TEST_CASE(two_members_form_the_group_and_hear_each_other) {
  auto ann = make("1001");
  auto bob = make("1002");
  gateway.join("1001", ann);
  gateway.settle();
  BOOST_CHECK(!ann.epoch());        // alone: no group yet
  BOOST_CHECK(!ann.encrypt(opus));  // and nothing leaves unencrypted
  gateway.join("1002", bob);
  gateway.settle();
  BOOST_REQUIRE(ann.epoch());
  BOOST_REQUIRE(bob.epoch());
  BOOST_CHECK_EQUAL(*ann.epoch(), 1U);
  BOOST_CHECK_EQUAL(*bob.epoch(), 1U);
  BOOST_CHECK_EQUAL(ann.privacy_code().size(), 30U);  // 30 digits
  BOOST_CHECK_EQUAL(ann.privacy_code(), bob.privacy_code());
  BOOST_CHECK(heard(ann, bob, "1001"));
  BOOST_CHECK(heard(bob, ann, "1002"));
  BOOST_CHECK_EQUAL(ann.members().size(), 2U);
  BOOST_CHECK_EQUAL(ann.stats().commits + bob.stats().commits, 1U);
  BOOST_CHECK_EQUAL(bob.stats().welcomes, 1U);
}

BOOST_AUTO_TEST_CASE(epochs_advance_as_members_join_and_leave) {
  auto ann = make("1001");
  auto bob = make("1002");
  auto cat = make("1003");
  gateway.join("1001", ann);
  gateway.join("1002", bob);
  gateway.settle();
  gateway.join("1003", cat);
  gateway.settle();
  BOOST_REQUIRE(cat.epoch());
  BOOST_CHECK_EQUAL(*ann.epoch(), 2U);
  BOOST_CHECK_EQUAL(*cat.epoch(), 2U);
  BOOST_CHECK(heard(cat, ann, "1003"));
  BOOST_CHECK(heard(ann, cat, "1001"));
  const auto code_before = ann.privacy_code();
  // Bob leaves mid-reply: Ann's next frames still reach Cat, and Bob, out
  // of the group, cannot read what is sent in the new epoch.
  auto in_flight = ann.encrypt(opus);
  gateway.leave("1002");
  gateway.settle();
  BOOST_CHECK_EQUAL(*ann.epoch(), 3U);
  BOOST_CHECK_EQUAL(*cat.epoch(), 3U);
  BOOST_CHECK_NE(ann.privacy_code(), code_before);
  BOOST_CHECK_EQUAL(ann.privacy_code(), cat.privacy_code());
  BOOST_REQUIRE(in_flight);
  BOOST_CHECK(cat.decrypt("1001", *in_flight));  // the old epoch's frame, within its window
  auto after = ann.encrypt(opus);
  BOOST_REQUIRE(after);
  BOOST_CHECK(cat.decrypt("1001", *after));
  BOOST_CHECK(!bob.decrypt("1001", *after));
  BOOST_CHECK_EQUAL(ann.members().size(), 2U);
}

BOOST_AUTO_TEST_CASE(a_tampered_or_replayed_frame_is_refused_and_counted) {
  auto ann = make("1001");
  auto bob = make("1002");
  gateway.join("1001", ann);
  gateway.join("1002", bob);
  gateway.settle();
  auto sealed = ann.encrypt(opus);
  BOOST_REQUIRE(sealed);
  auto tampered = *sealed;
  tampered[2] ^= 0x01;
  BOOST_CHECK(!bob.decrypt("1001", tampered));
  BOOST_CHECK(bob.decrypt("1001", *sealed));
  BOOST_CHECK(!bob.decrypt("1001", *sealed));  // the same frame again
  BOOST_CHECK(!bob.decrypt("1001", opus));     // unencrypted while DAVE is on
  BOOST_CHECK_EQUAL(bob.stats().decrypt_failures, 3U);
  BOOST_CHECK_EQUAL(bob.stats().decrypted, 1U);
}

BOOST_AUTO_TEST_CASE(the_first_frames_may_arrive_out_of_order) {
  auto ann = make("1001");
  auto bob = make("1002");
  gateway.join("1001", ann);
  gateway.join("1002", bob);
  gateway.settle();
  const auto first = ann.encrypt(opus);
  const auto second = ann.encrypt(opus);
  BOOST_REQUIRE(first && second);
  BOOST_CHECK(bob.decrypt("1001", *second));  // UDP swapped the first two
  BOOST_CHECK(bob.decrypt("1001", *first));
  BOOST_CHECK(!bob.decrypt("1001", *first));  // but each is taken once
  BOOST_CHECK_EQUAL(bob.stats().decrypted, 2U);
}

BOOST_AUTO_TEST_CASE(a_bad_welcome_is_reported_and_the_member_joins_again) {
  auto ann = make("1001");
  auto bob = make("1002");
  gateway.join("1001", ann);
  gateway.corrupt_next_welcome();
  gateway.join("1002", bob);
  gateway.settle();
  BOOST_CHECK_EQUAL(gateway.invalid_reports(), 1U);
  BOOST_CHECK_EQUAL(bob.stats().invalid, 1U);
  BOOST_CHECK(!log.empty());
  BOOST_REQUIRE(bob.epoch());
  BOOST_CHECK_EQUAL(*bob.epoch(), *ann.epoch());
  BOOST_CHECK(heard(ann, bob, "1001"));
  BOOST_CHECK(heard(bob, ann, "1002"));
}

BOOST_AUTO_TEST_CASE(hostile_opcodes_are_refused_and_change_nothing) {
  auto ann = make("1001");
  auto bob = make("1002");
  gateway.join("1001", ann);
  gateway.join("1002", bob);
  gateway.settle();
  const auto epoch = *ann.epoch();
  const std::vector<std::uint8_t> junk = {0x00, 0x05, 0xff, 0xff, 0x01};
  for (int op : {25, 27, 99}) BOOST_CHECK(ann.on_binary(op, junk.data(), junk.size()).empty());
  const std::vector<std::uint8_t> cut = {0x00};  // a transition frame without its id
  BOOST_CHECK(ann.on_binary(29, cut.data(), cut.size()).empty());
  BOOST_REQUIRE(ann.epoch());
  BOOST_CHECK_EQUAL(*ann.epoch(), epoch);
  BOOST_CHECK(heard(ann, bob, "1001"));
  // A commit that does not process is reported (31) and the member starts
  // over with a fresh key package (26), as the whitepaper's recovery says.
  const auto out = ann.on_binary(29, junk.data(), junk.size());
  BOOST_REQUIRE_EQUAL(out.size(), 2U);
  BOOST_CHECK(!out[0].binary && out[0].payload.find("\"op\":31") != std::string::npos);
  BOOST_CHECK(out[1].binary && static_cast<std::uint8_t>(out[1].payload[0]) == 26);
  BOOST_CHECK(!ann.epoch());
}

BOOST_AUTO_TEST_CASE(a_replayed_commit_is_ignored_with_a_reason) {
  auto ann = make("1001");
  auto bob = make("1002");
  gateway.join("1001", ann);
  gateway.join("1002", bob);
  gateway.settle();
  const auto replay = gateway.last_announce();
  BOOST_REQUIRE(!replay.empty());
  const auto code = ann.privacy_code();
  log.clear();
  BOOST_CHECK(ann.on_binary(29, replay.data(), replay.size()).empty());  // no 31, no reset
  BOOST_REQUIRE(ann.epoch());
  BOOST_CHECK_EQUAL(*ann.epoch(), 1U);
  BOOST_CHECK_EQUAL(ann.privacy_code(), code);
  BOOST_REQUIRE_EQUAL(log.size(), 1U);
  BOOST_CHECK(log.front().find("commit ignored") != std::string::npos);
  BOOST_CHECK(heard(ann, bob, "1001"));
}

BOOST_AUTO_TEST_CASE(transport_only_passes_frames_through) {
  auto ann = make("1001");
  BOOST_CHECK(ann.on_protocol(0).empty());
  BOOST_CHECK(ann.encrypt(opus) == opus);
  BOOST_CHECK(ann.decrypt("1002", opus) == opus);
  BOOST_CHECK_EQUAL(ann.protocol_version(), 0);
}

BOOST_AUTO_TEST_SUITE_END()
