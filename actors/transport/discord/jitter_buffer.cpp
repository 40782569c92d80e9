#include "actors/transport/discord/jitter_buffer.hpp"

#include <cstdlib>
#include <iterator>

namespace parley::discord {

jitter_buffer::verdict jitter_buffer::push(voice_frame f) {
  if (!started_) {
    started_ = true;
    next_ = f.sequence;
    highest_ = next_ - 1;
  }
  // The distance from what is expected, in the 16-bit circle.
  const int delta = static_cast<std::int16_t>(
      static_cast<std::uint16_t>(f.sequence - static_cast<std::uint16_t>(next_)));
  const std::int64_t ext = next_ + delta;
  if (static_cast<std::size_t>(std::abs(delta)) > max_jump_) {
    // The sender started over: what is held goes out first, then the new run.
    auto before = release(0);
    flushed_.insert(flushed_.end(), std::make_move_iterator(before.begin()),
                    std::make_move_iterator(before.end()));
    next_ = ext;
    highest_ = ext - 1;
  }
  if (ext < next_) {
    ++late_;
    return verdict::late;
  }
  if (held_.count(ext)) return verdict::duplicate;
  if (ext < highest_) ++reordered_;
  if (ext > highest_) highest_ = ext;
  held_.emplace(ext, std::move(f));
  return verdict::accepted;
}

std::vector<voice_frame> jitter_buffer::release(std::size_t keep) {
  std::vector<voice_frame> out = std::move(flushed_);
  flushed_.clear();
  while (!held_.empty()) {
    auto first = held_.begin();
    if (first->first != next_) {
      if (held_.size() <= keep) break;
      lost_ += static_cast<std::uint64_t>(first->first - next_);
      next_ = first->first;
    }
    out.push_back(std::move(first->second));
    held_.erase(first);
    ++next_;
  }
  return out;
}

std::vector<voice_frame> jitter_buffer::pop() {
  return release(depth_);
}

std::vector<voice_frame> jitter_buffer::drain() {
  return release(0);
}

}  // namespace parley::discord
