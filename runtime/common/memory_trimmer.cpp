#include "runtime/common/memory_trimmer.hpp"

#include <malloc.h>

#include <utility>

namespace parley::runtime {

memory_trimmer::memory_trimmer(std::chrono::milliseconds period, std::function<void()> trim)
    : period_(period), trim_(std::move(trim)) {
  if (!trim_) trim_ = [] { malloc_trim(0); };
  if (period_.count() > 0) thread_ = std::thread([this] { run(); });
}

memory_trimmer::~memory_trimmer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void memory_trimmer::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    trim_();
    lock.lock();
  }
}

}  // namespace parley::runtime
