#pragma once
// A bounded set of recognizers shared by all sessions: decoders are large and slow to
// create, so they are made once up front and lent out.

#include "actors/stt/recognizer.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace parley::stt {

// Thread-safe. The pool must outlive every lease it hands out.
class recognizer_pool {
 public:
  // Exclusive use of one recognizer; gives it back on destruction. Move-only.
  class lease {
   public:
    lease(lease&& other) noexcept;
    lease& operator=(lease&& other) noexcept;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease();

    recognizer& operator*() const { return *rec_; }
    recognizer* operator->() const { return rec_; }
    recognizer& get() const { return *rec_; }

   private:
    friend class recognizer_pool;
    lease(recognizer_pool* pool, std::size_t slot, recognizer* rec);
    void give_back() noexcept;

    recognizer_pool* pool_;
    std::size_t slot_;
    recognizer* rec_;
  };

  // One of the pool's compute slots, held while a recognizer works; gives
  // it back on destruction. Move-only.
  class compute_slot {
   public:
    compute_slot(compute_slot&& other) noexcept;
    compute_slot& operator=(compute_slot&&) = delete;
    compute_slot(const compute_slot&) = delete;
    compute_slot& operator=(const compute_slot&) = delete;
    ~compute_slot();

   private:
    friend class recognizer_pool;
    explicit compute_slot(recognizer_pool* pool) : pool_(pool) {}
    recognizer_pool* pool_;
  };

  // Creates `size` recognizers now; throws what the engine throws. At most
  // `compute_slots` of them work at once (0: one per core).
  recognizer_pool(stt_engine& engine, std::size_t size, std::size_t compute_slots = 0);
  explicit recognizer_pool(std::vector<std::unique_ptr<recognizer>> recognizers,
                           std::size_t compute_slots = 0);
  recognizer_pool(const recognizer_pool&) = delete;
  recognizer_pool& operator=(const recognizer_pool&) = delete;
  ~recognizer_pool() = default;

  // Waits up to `timeout` for a free recognizer (nullopt when none came). The recognizer
  // is reset (in the caller's thread) before it is handed out.
  [[nodiscard]] std::optional<lease> acquire(std::chrono::milliseconds timeout);
  std::size_t size() const { return recognizers_.size(); }
  std::size_t available() const;

  // Waits for a compute slot. Recognisers are CPU-bound: more of them at
  // work than cores only makes every utterance late at once. Past the cores,
  // an utterance whose speaker has stopped (`urgent`, read while waiting)
  // goes before those still being spoken, which can catch up later.
  [[nodiscard]] compute_slot compute(const std::atomic<bool>& urgent);
  std::size_t compute_waiting() const;

 private:
  void release(std::size_t slot) noexcept;
  void end_compute() noexcept;
  bool urgent_waiting() const;  // with mutex_ held

  std::vector<std::unique_ptr<recognizer>> recognizers_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::size_t> free_;  // guarded by mutex_
  std::size_t compute_slots_;
  std::size_t computing_ = 0;                            // guarded by mutex_
  std::vector<const std::atomic<bool>*> compute_queue_;  // guarded by mutex_
  std::condition_variable compute_done_;
};

}  // namespace parley::stt
