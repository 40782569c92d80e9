#include "actors/stt/recognizer_pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <utility>

namespace parley::stt {

// Everything a lease or compute slot needs after the pool object is gone.
struct recognizer_pool::shared {
  shared(std::vector<std::unique_ptr<recognizer>> recs, std::size_t slots)
      : recognizers(std::move(recs)), compute_slots(slots) {}

  void release(std::size_t slot) noexcept;
  void begin_compute(const std::atomic<bool>& urgent);
  void end_compute() noexcept;
  bool urgent_waiting() const;  // with mutex held

  const std::vector<std::unique_ptr<recognizer>> recognizers;
  mutable std::mutex mutex;
  std::condition_variable returned;
  std::vector<std::size_t> free;  // guarded by mutex
  const std::size_t compute_slots;
  std::size_t computing = 0;                            // guarded by mutex
  std::vector<const std::atomic<bool>*> compute_queue;  // guarded by mutex
  std::condition_variable compute_done;
};

namespace {

std::vector<std::unique_ptr<recognizer>> make_all(stt_engine& engine, std::size_t size) {
  std::vector<std::unique_ptr<recognizer>> all;
  all.reserve(size);
  for (std::size_t i = 0; i < size; ++i) all.push_back(engine.make_recognizer());
  return all;
}

}  // namespace

recognizer_pool::lease::lease(std::shared_ptr<shared> pool, std::size_t slot, recognizer* rec)
    : pool_(std::move(pool)), slot_(slot), rec_(rec) {}

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
  if (auto pool = std::exchange(pool_, nullptr)) pool->release(slot_);
}

std::size_t cores() {
  return std::max(1U, std::thread::hardware_concurrency());
}

recognizer_pool::compute_slot::compute_slot(compute_slot&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)) {}

recognizer_pool::compute_slot::~compute_slot() {
  if (pool_) pool_->end_compute();
}

recognizer_pool::recognizer_pool(stt_engine& engine, std::size_t size, std::size_t compute_slots)
    : recognizer_pool(make_all(engine, size), compute_slots) {}

recognizer_pool::recognizer_pool(std::vector<std::unique_ptr<recognizer>> recognizers,
                                 std::size_t compute_slots)
    : shared_(std::make_shared<shared>(std::move(recognizers),
                                       compute_slots != 0 ? compute_slots : cores())) {
  auto& all = shared_->recognizers;
  shared_->free.reserve(all.size());
  for (std::size_t i = all.size(); i > 0; --i) {
    if (!all[i - 1]) throw std::invalid_argument("recognizer_pool: null recognizer");
    shared_->free.push_back(i - 1);
  }
}

std::size_t recognizer_pool::size() const {
  return shared_->recognizers.size();
}

std::optional<recognizer_pool::lease> recognizer_pool::acquire(
    std::chrono::milliseconds timeout, const runtime::cancel_token* cancel) {
  auto& sh = *shared_;
  std::size_t slot = 0;
  {
    std::unique_lock<std::mutex> lock(sh.mutex);
    sh.returned.wait_for(lock, timeout, [&] {
      return !sh.free.empty() || (cancel != nullptr && cancel->cancelled());
    });
    if (sh.free.empty() || (cancel != nullptr && cancel->cancelled())) return std::nullopt;
    slot = sh.free.back();
    sh.free.pop_back();
  }
  lease out(shared_, slot, sh.recognizers[slot].get());
  // The last holder may have left mid-utterance; resetting an idle recognizer is cheap.
  // If reset throws, `out` returns the slot.
  out->reset();
  return std::optional<lease>(std::move(out));
}

void recognizer_pool::wake_waiters() {
  { std::lock_guard<std::mutex> lock(shared_->mutex); }
  shared_->returned.notify_all();
}

std::size_t recognizer_pool::available() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->free.size();
}

void recognizer_pool::shared::release(std::size_t slot) noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex);
    free.push_back(slot);
  }
  returned.notify_one();
}

recognizer_pool::compute_slot recognizer_pool::compute(const std::atomic<bool>& urgent) {
  shared_->begin_compute(urgent);
  return compute_slot(shared_);
}

recognizer_pool::compute_slot recognizer_pool::lease::compute(
    const std::atomic<bool>& urgent) const {
  pool_->begin_compute(urgent);
  return compute_slot(pool_);
}

void recognizer_pool::shared::begin_compute(const std::atomic<bool>& urgent) {
  std::unique_lock<std::mutex> lock(mutex);
  compute_queue.push_back(&urgent);
  compute_done.wait(
      lock, [&] { return computing < compute_slots && (urgent.load() || !urgent_waiting()); });
  compute_queue.erase(std::find(compute_queue.begin(), compute_queue.end(), &urgent));
  ++computing;
}

std::size_t recognizer_pool::compute_waiting() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->compute_queue.size();
}

bool recognizer_pool::shared::urgent_waiting() const {
  return std::any_of(compute_queue.begin(), compute_queue.end(),
                     [](const std::atomic<bool>* u) { return u->load(); });
}

void recognizer_pool::shared::end_compute() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex);
    --computing;
  }
  // Waiters differ in urgency: each must look again.
  compute_done.notify_all();
}

}  // namespace parley::stt
