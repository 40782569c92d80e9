#pragma once
// Reply audio on its way out: the frames waiting, one reply after another,
// and the clock that paces them at one per 20 ms. The clock's time source is
// injected, so tests drive it.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

#include "messages/voice.hpp"

namespace parley::session {

class reply_queue {
 public:
  void push(messages::turn_id turn, messages::bytes frame);
  // The next frame and its turn; nullopt when nothing waits.
  std::optional<std::pair<messages::turn_id, messages::bytes>> pop();
  bool holds(messages::turn_id turn) const;  // a frame of `turn` still waits
  // Drops the frames of every turn `gone` says is gone.
  void drop(const std::function<bool(messages::turn_id)>& gone);
  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }

 private:
  std::deque<std::pair<messages::turn_id, messages::bytes>> frames_;
};

class playout_clock {
 public:
  using clock = std::chrono::steady_clock;
  using now_fn = std::function<clock::time_point()>;
  static constexpr std::chrono::milliseconds frame{20};
  // Further behind than this (a stalled process), the schedule starts again
  // from now: a burst of late frames would only overflow the listeners'
  // jitter buffers.
  static constexpr std::chrono::milliseconds max_behind{100};

  // An empty `now` is the steady clock.
  explicit playout_clock(now_fn now = {}) : now_(now ? std::move(now) : now_fn(&clock::now)) {}

  // The first frame goes now.
  void start() { next_ = now_(); }
  // The next frame goes `d` later than it would: a pause in the stream.
  void hold(clock::duration d) { next_ += d; }
  // A frame went out: how long until the next one is due. On an absolute
  // schedule, so a late timer does not add up to drift.
  clock::duration after_frame();

 private:
  now_fn now_;
  clock::time_point next_;
};

}  // namespace parley::session
