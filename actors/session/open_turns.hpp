#pragma once
// Turns heard and not yet answered, across every session: a draining
// process waits until there are none before it stops.

#include <prometheus/gauge.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace parley::session {

class open_turns {
 public:
  explicit open_turns(prometheus::Gauge& gauge) : gauge_(gauge) {}
  void opened();
  void closed(std::size_t n = 1);
  std::size_t count() const;
  // True once no turn is open; false when `deadline` came first.
  bool wait_none(std::chrono::steady_clock::time_point deadline);

 private:
  prometheus::Gauge& gauge_;
  mutable std::mutex mutex_;
  std::condition_variable none_;
  std::size_t open_ = 0;
};

}  // namespace parley::session
