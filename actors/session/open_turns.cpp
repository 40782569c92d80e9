#include "actors/session/open_turns.hpp"

#include <algorithm>

namespace parley::session {

void open_turns::opened() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++open_;
  gauge_.Set(static_cast<double>(open_));
}

void open_turns::closed(std::size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_ -= std::min(n, open_);
  gauge_.Set(static_cast<double>(open_));
  if (open_ == 0) none_.notify_all();
}

std::size_t open_turns::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

bool open_turns::wait_none(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return none_.wait_until(lock, deadline, [this] { return open_ == 0; });
}

}  // namespace parley::session
