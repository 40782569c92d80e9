#include "actors/session/playout.hpp"

#include <algorithm>

namespace parley::session {

void reply_queue::push(messages::turn_id turn, messages::bytes frame) {
  frames_.emplace_back(turn, std::move(frame));
}

std::optional<std::pair<messages::turn_id, messages::bytes>> reply_queue::pop() {
  if (frames_.empty()) return std::nullopt;
  auto f = std::move(frames_.front());
  frames_.pop_front();
  return f;
}

bool reply_queue::holds(messages::turn_id turn) const {
  return std::any_of(frames_.begin(), frames_.end(),
                     [turn](const auto& f) { return f.first == turn; });
}

void reply_queue::drop(const std::function<bool(messages::turn_id)>& gone) {
  frames_.erase(
      std::remove_if(frames_.begin(), frames_.end(), [&](const auto& f) { return gone(f.first); }),
      frames_.end());
}

constexpr std::chrono::milliseconds playout_clock::frame;
constexpr std::chrono::milliseconds playout_clock::max_behind;

playout_clock::clock::duration playout_clock::after_frame() {
  next_ += frame;
  const auto now = now_();
  if (now > next_ + max_behind) next_ = now;
  return next_ > now ? next_ - now : clock::duration::zero();
}

}  // namespace parley::session
