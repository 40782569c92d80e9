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

#include "runtime/common/cancel_token.hpp"

namespace parley::stt {

// Thread-safe. A lease or compute slot shares ownership of the pool's
// recognisers: when an engine is reloaded and its old pool dropped, an
// utterance still decoding keeps its recogniser alive until it gives it
// back (freeing it under a running decoder crashed the process).
class recognizer_pool {
  struct shared;

 public:
  class compute_slot;

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
    // A compute slot of the pool this recogniser came from (see compute()).
    [[nodiscard]] compute_slot compute(const std::atomic<bool>& urgent) const;

   private:
    friend class recognizer_pool;
    lease(std::shared_ptr<shared> pool, std::size_t slot, recognizer* rec);
    void give_back() noexcept;

    std::shared_ptr<shared> pool_;
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
    friend class lease;
    explicit compute_slot(std::shared_ptr<shared> pool) : pool_(std::move(pool)) {}
    std::shared_ptr<shared> pool_;
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
  // Waits up to `timeout` for a free recogniser; nullopt past it, or once
  // `cancel` is set (wake_waiters() wakes a wait to look).
  [[nodiscard]] std::optional<lease> acquire(std::chrono::milliseconds timeout,
                                             const runtime::cancel_token* cancel = nullptr);
  void wake_waiters();
  std::size_t size() const;
  std::size_t available() const;

  // Waits for a compute slot. Recognisers are CPU-bound: more of them at
  // work than cores only makes every utterance late at once. Past the cores,
  // an utterance whose speaker has stopped (`urgent`, read while waiting)
  // goes before those still being spoken, which can catch up later.
  [[nodiscard]] compute_slot compute(const std::atomic<bool>& urgent);
  std::size_t compute_waiting() const;

 private:
  std::shared_ptr<shared> shared_;
};

}  // namespace parley::stt
