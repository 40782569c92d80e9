#pragma once
// A bounded set of recognizers shared by all sessions: decoders are large and slow to
// create, so they are made once up front and lent out.

#include "actors/stt/recognizer.hpp"

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

  // Creates `size` recognizers now; throws what the engine throws.
  recognizer_pool(stt_engine& engine, std::size_t size);
  explicit recognizer_pool(std::vector<std::unique_ptr<recognizer>> recognizers);
  recognizer_pool(const recognizer_pool&) = delete;
  recognizer_pool& operator=(const recognizer_pool&) = delete;
  ~recognizer_pool() = default;

  // Waits up to `timeout` for a free recognizer (nullopt when none came). The recognizer
  // is reset (in the caller's thread) before it is handed out.
  [[nodiscard]] std::optional<lease> acquire(std::chrono::milliseconds timeout);
  std::size_t size() const { return recognizers_.size(); }
  std::size_t available() const;

 private:
  void release(std::size_t slot) noexcept;

  std::vector<std::unique_ptr<recognizer>> recognizers_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::size_t> free_;  // guarded by mutex_
};

}  // namespace parley::stt
