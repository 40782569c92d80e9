#include "actors/stt/recognizer_pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <utility>

namespace parley::stt {

namespace {

std::vector<std::unique_ptr<recognizer>> make_all(stt_engine& engine, std::size_t size) {
  std::vector<std::unique_ptr<recognizer>> all;
  all.reserve(size);
  for (std::size_t i = 0; i < size; ++i) all.push_back(engine.make_recognizer());
  return all;
}

}  // namespace

recognizer_pool::lease::lease(recognizer_pool* pool, std::size_t slot, recognizer* rec)
    : pool_(pool), slot_(slot), rec_(rec) {}

recognizer_pool::lease::lease(lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), slot_(other.slot_), rec_(other.rec_) {}

recognizer_pool::lease& recognizer_pool::lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::exchange(other.pool_, nullptr);
    slot_ = other.slot_;
    rec_ = other.rec_;
  }
  return *this;
}

recognizer_pool::lease::~lease() {
  give_back();
}

void recognizer_pool::lease::give_back() noexcept {
  if (pool_ != nullptr) std::exchange(pool_, nullptr)->release(slot_);
}

std::size_t cores() {
  return std::max(1U, std::thread::hardware_concurrency());
}

recognizer_pool::compute_slot::compute_slot(compute_slot&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)) {}

recognizer_pool::compute_slot::~compute_slot() {
  if (pool_ != nullptr) pool_->end_compute();
}

recognizer_pool::recognizer_pool(stt_engine& engine, std::size_t size, std::size_t compute_slots)
    : recognizer_pool(make_all(engine, size), compute_slots) {}

recognizer_pool::recognizer_pool(std::vector<std::unique_ptr<recognizer>> recognizers,
                                 std::size_t compute_slots)
    : recognizers_(std::move(recognizers)),
      compute_slots_(compute_slots != 0 ? compute_slots : cores()) {
  free_.reserve(recognizers_.size());
  for (std::size_t i = recognizers_.size(); i > 0; --i) {
    if (!recognizers_[i - 1]) throw std::invalid_argument("recognizer_pool: null recognizer");
    free_.push_back(i - 1);
  }
}

std::optional<recognizer_pool::lease> recognizer_pool::acquire(std::chrono::milliseconds timeout) {
  std::size_t slot = 0;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!returned_.wait_for(lock, timeout, [this] { return !free_.empty(); })) return std::nullopt;
    slot = free_.back();
    free_.pop_back();
  }
  lease out(this, slot, recognizers_[slot].get());
  // The last holder may have left mid-utterance; resetting an idle recognizer is cheap.
  // If reset throws, `out` returns the slot.
  out->reset();
  return std::optional<lease>(std::move(out));
}

std::size_t recognizer_pool::available() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_.size();
}

void recognizer_pool::release(std::size_t slot) noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(slot);
  }
  returned_.notify_one();
}

recognizer_pool::compute_slot recognizer_pool::compute(const std::atomic<bool>& urgent) {
  std::unique_lock<std::mutex> lock(mutex_);
  compute_queue_.push_back(&urgent);
  compute_done_.wait(
      lock, [&] { return computing_ < compute_slots_ && (urgent.load() || !urgent_waiting()); });
  compute_queue_.erase(std::find(compute_queue_.begin(), compute_queue_.end(), &urgent));
  ++computing_;
  return compute_slot(this);
}

std::size_t recognizer_pool::compute_waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return compute_queue_.size();
}

bool recognizer_pool::urgent_waiting() const {
  return std::any_of(compute_queue_.begin(), compute_queue_.end(),
                     [](const std::atomic<bool>* u) { return u->load(); });
}

void recognizer_pool::end_compute() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --computing_;
  }
  // Waiters differ in urgency: each must look again.
  compute_done_.notify_all();
}

}  // namespace parley::stt
