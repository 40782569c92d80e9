// A speaker's frames back in order: reordering within the depth is undone,
// a gap is waited for and then counted lost, late and duplicate frames are
// refused, sequence numbers wrap, and a sender that starts over is followed.

#include "actors/transport/discord/jitter_buffer.hpp"

#include <boost/test/unit_test.hpp>

using namespace parley::discord;

namespace {

voice_frame frame(std::uint16_t seq) {
  return {seq, static_cast<std::uint32_t>(seq) * 960, {static_cast<std::uint8_t>(seq & 0xFF)}};
}

std::vector<std::uint16_t> seqs(const std::vector<voice_frame>& frames) {
  std::vector<std::uint16_t> out;
  for (const auto& f : frames) out.push_back(f.sequence);
  return out;
}

using v = std::vector<std::uint16_t>;

}  // namespace

BOOST_AUTO_TEST_SUITE(discord_jitter_buffer)

BOOST_AUTO_TEST_CASE(frames_in_order_pass_straight_through) {
  jitter_buffer b;
  for (std::uint16_t s = 10; s < 13; ++s)
    BOOST_CHECK(b.push(frame(s)) == jitter_buffer::verdict::accepted);
  BOOST_CHECK(seqs(b.pop()) == v({10, 11, 12}));
  BOOST_CHECK_EQUAL(b.held(), 0U);
  BOOST_CHECK_EQUAL(b.lost(), 0U);
}

BOOST_AUTO_TEST_CASE(a_swapped_pair_comes_out_in_order) {
  jitter_buffer b;
  b.push(frame(1));
  BOOST_CHECK(seqs(b.pop()) == v({1}));
  b.push(frame(3));
  BOOST_CHECK(b.pop().empty());  // waiting for 2
  b.push(frame(2));
  BOOST_CHECK(seqs(b.pop()) == v({2, 3}));
  BOOST_CHECK_EQUAL(b.reordered(), 1U);
  BOOST_CHECK_EQUAL(b.lost(), 0U);
}

BOOST_AUTO_TEST_CASE(a_lost_frame_is_given_up_after_depth_frames) {
  jitter_buffer b(3);
  b.push(frame(1));
  b.pop();
  for (std::uint16_t s = 3; s <= 5; ++s) {
    b.push(frame(s));
    BOOST_CHECK(b.pop().empty());
  }
  b.push(frame(6));
  BOOST_CHECK(seqs(b.pop()) == v({3, 4, 5, 6}));
  BOOST_CHECK_EQUAL(b.lost(), 1U);
  BOOST_CHECK(b.push(frame(2)) == jitter_buffer::verdict::late);
  BOOST_CHECK_EQUAL(b.late(), 1U);
}

BOOST_AUTO_TEST_CASE(duplicates_are_refused) {
  jitter_buffer b;
  b.push(frame(7));
  b.push(frame(9));
  BOOST_CHECK(b.push(frame(9)) == jitter_buffer::verdict::duplicate);
  b.pop();
  BOOST_CHECK(b.push(frame(7)) == jitter_buffer::verdict::late);
}

BOOST_AUTO_TEST_CASE(sequence_numbers_wrap) {
  jitter_buffer b;
  b.push(frame(65534));
  b.push(frame(0));
  b.push(frame(65535));
  b.push(frame(1));
  BOOST_CHECK(seqs(b.pop()) == v({65534, 65535, 0, 1}));
  BOOST_CHECK_EQUAL(b.lost(), 0U);
}

BOOST_AUTO_TEST_CASE(drain_gives_everything_held_when_speech_ends) {
  jitter_buffer b;
  b.push(frame(1));
  b.pop();
  b.push(frame(3));
  b.push(frame(5));
  BOOST_CHECK(b.pop().empty());
  BOOST_CHECK(seqs(b.drain()) == v({3, 5}));
  BOOST_CHECK_EQUAL(b.lost(), 2U);
}

BOOST_AUTO_TEST_CASE(a_sender_that_starts_over_is_followed_not_waited_for) {
  jitter_buffer b(3, 250);
  b.push(frame(1000));
  b.pop();
  b.push(frame(1002));  // 1001 missing, held
  b.push(frame(10));    // far behind: the sender restarted
  b.push(frame(11));
  BOOST_CHECK(seqs(b.pop()) == v({1002, 10, 11}));
  BOOST_CHECK(b.push(frame(12)) == jitter_buffer::verdict::accepted);
  BOOST_CHECK(seqs(b.pop()) == v({12}));
}

BOOST_AUTO_TEST_SUITE_END()
