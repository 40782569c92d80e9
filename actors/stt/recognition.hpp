#pragma once
// The recognition of one utterance: a leased recogniser and how much of the
// utterance it has heard. The session keeps it with the turn, so a
// restarted stt_job (or the new stt_job of a restarted session) carries on
// where the killed one stopped instead of decoding the utterance again:
// under a kill every few seconds, decoding from the start never caught up.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "actors/stt/recognizer_pool.hpp"

namespace parley::stt {

// Thread-safe: a killed detached job may still be inside a call while its
// replacement starts; the replacement waits for it and goes on from there.
class recognition {
 public:
  // Leases a recogniser unless one is held; false when none came in time.
  bool ensure_recognizer(recognizer_pool& pool, std::chrono::milliseconds timeout,
                         const runtime::cancel_token* cancel = nullptr);

  // Samples [offset, offset + n) of the utterance: only those not heard yet
  // are fed. Returns a partial text when one is due and it changed, or the
  // engine has newly heard the end of speech (a provider's endpointing).
  struct partial_text {
    std::string text;
    bool speech_over = false;
  };
  std::optional<partial_text> hear(std::size_t offset, const std::int16_t* samples, std::size_t n);

  // The final text. Asked again (a replacement after a kill), the same text.
  std::string finish();

  // The speaker has stopped: someone waits for this text now, so its
  // recogniser goes first when more are at work than there are cores.
  void speech_ended() { ended_ = true; }

  // An engine call is still running in some thread (e.g. a job past its
  // deadline): whoever needs the text now must start a new recognition.
  bool busy();

  std::size_t heard();

 private:
  // An engine call threw: what the recogniser holds is unknown, so the
  // utterance is heard again from the start by a fresh one.
  void forget();

  std::mutex mutex_;
  std::optional<recognizer_pool::lease> lease_;
  std::atomic<bool> ended_{false};
  std::size_t heard_ = 0;
  std::size_t since_partial_ = 0;
  std::string last_partial_;
  bool last_over_ = false;
  std::optional<std::string> final_;
};

}  // namespace parley::stt
