#pragma once
// Calls off a job's work from outside its thread. A job blocked in an
// engine call cannot take a message until the call returns, so its
// supervisor sets this token when it stops or kills the job, and engines
// look at it between pieces of work, or are woken by it (a waker, e.g.
// curl_multi_wakeup for an HTTP stream).

#include <atomic>
#include <functional>
#include <mutex>

namespace parley::runtime {

class cancel_token {
 public:
  void cancel() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_.exchange(true)) return;
    if (waker_) waker_();
  }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  // While a waker is set, cancel() calls it (once). Cleared with nullptr
  // before whatever it wakes is gone.
  void set_waker(std::function<void()> waker) {
    std::lock_guard<std::mutex> lock(mutex_);
    waker_ = std::move(waker);
  }

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  std::function<void()> waker_;
};

}  // namespace parley::runtime
