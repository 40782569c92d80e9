#include "actors/stt/recognition.hpp"

#include <algorithm>

namespace parley::stt {
namespace {

// Partials cost a backtrace (negligible beside decoding, parley-stt-bench
// --partial-ms), and the end of turn judges the words by the latest one:
// one per 100 ms of audio.
constexpr std::size_t partial_every_samples = 16000 / 10;

}  // namespace

bool recognition::ensure_recognizer(recognizer_pool& pool, std::chrono::milliseconds timeout,
                                    const runtime::cancel_token* cancel) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (lease_ || final_) return true;
  }
  // Waiting for the pool must not hold the lock: a recogniser leased by a
  // predecessor meanwhile wins, and this one goes back when it leaves scope.
  auto leased = pool.acquire(timeout, cancel);
  if (!leased) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!lease_ && !final_) {
    lease_ = std::move(leased);
    (*lease_)->begin();
    heard_ = 0;
  }
  return true;
}

std::optional<recognition::partial_text> recognition::hear(std::size_t offset,
                                                           const std::int16_t* samples,
                                                           std::size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!lease_ || final_ || offset + n <= heard_) return std::nullopt;
  const std::size_t skip = heard_ > offset ? heard_ - offset : 0;
  auto slot = lease_->compute(ended_);
  try {
    (*lease_)->feed(samples + skip, n - skip);
  } catch (...) {
    forget();
    throw;
  }
  heard_ = offset + n;
  since_partial_ += n - skip;
  if (since_partial_ < partial_every_samples) return std::nullopt;
  since_partial_ = 0;
  auto text = (*lease_)->partial();
  const bool over = (*lease_)->heard_end_of_speech();
  const bool news = text != last_partial_ || (over && !last_over_);
  last_over_ = over;
  if (text.empty() || !news) return std::nullopt;
  last_partial_ = text;
  return partial_text{std::move(text), over};
}

std::string recognition::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (final_) return *final_;
  if (!lease_) return {};
  ended_ = true;
  // A remote engine's upload waits on the network: its compute slot goes to
  // another speaker meanwhile, and is taken again for any decoding after.
  std::optional<recognizer_pool::compute_slot> slot(lease_->compute(ended_));
  (*lease_)->set_network_wait([&](bool waiting) {
    if (waiting)
      slot.reset();
    else
      slot.emplace(lease_->compute(ended_));
  });
  try {
    final_ = (*lease_)->finish();
  } catch (...) {
    (*lease_)->set_network_wait({});
    forget();
    throw;
  }
  (*lease_)->set_network_wait({});
  lease_.reset();  // the recogniser is free for the next utterance at once
  return *final_;
}

bool recognition::busy() {
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  return !lock.owns_lock();
}

std::size_t recognition::heard() {
  std::lock_guard<std::mutex> lock(mutex_);
  return heard_;
}

void recognition::forget() {
  lease_.reset();
  heard_ = 0;
  since_partial_ = 0;
  last_partial_.clear();
  last_over_ = false;
}

}  // namespace parley::stt
