#pragma once
// One speaker's incoming voice frames put back in order. UDP reorders and
// loses packets; the buffer holds a few frames (`depth`) waiting for a
// missing one, then gives up on it and counts it lost so speech goes on.
// Sequence numbers are 16-bit and wrap; a jump far ahead (the sender
// restarted) starts the stream over rather than waiting for 60 000 frames.

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "actors/transport/discord/rtp_packet.hpp"

namespace parley::discord {

struct voice_frame {
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  bytes opus;
};

class jitter_buffer {
 public:
  enum class verdict { accepted, late, duplicate };

  explicit jitter_buffer(std::size_t depth = 3, std::size_t max_jump = 250)
      : depth_(depth), max_jump_(max_jump) {}

  verdict push(voice_frame f);
  // The frames now in order; a gap older than `depth` frames is skipped.
  std::vector<voice_frame> pop();
  // Everything held, in order, gaps skipped (the speaker went quiet).
  std::vector<voice_frame> drain();

  std::uint64_t lost() const { return lost_; }
  std::uint64_t reordered() const { return reordered_; }
  std::uint64_t late() const { return late_; }
  std::size_t held() const { return held_.size(); }

 private:
  std::vector<voice_frame> release(std::size_t keep);

  std::size_t depth_, max_jump_;
  bool started_ = false;
  std::int64_t next_ = 0;      // the extended sequence number expected next
  std::int64_t highest_ = -1;  // the highest extended sequence number seen
  std::map<std::int64_t, voice_frame> held_;
  std::vector<voice_frame> flushed_;  // held when the sender started over
  std::uint64_t lost_ = 0, reordered_ = 0, late_ = 0;
};

}  // namespace parley::discord
