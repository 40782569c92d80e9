#pragma once
// The speech-to-text interface: engines hide their library behind it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace parley::stt {

// One utterance at a time; not thread-safe (one thread per recognizer at a time).
class recognizer {
 public:
  virtual ~recognizer() = default;
  // Starts an utterance. Calling it while one is open discards the open one.
  virtual void begin() = 0;
  // Feeds ~20 ms chunks of 16 kHz mono while the user speaks.
  virtual void feed(const int16_t* pcm16k, size_t samples) = 0;
  // Best guess so far ("" when none yet).
  virtual std::string partial() = 0;
  // Final text of the utterance; afterwards the recognizer is ready for begin().
  // Safe without an open utterance (returns "").
  virtual std::string finish() = 0;
  // Brings a recognizer in an unknown state (e.g. abandoned mid-utterance) back to idle.
  // The default discards a final result, which finish() guarantees to be enough.
  virtual void reset() { (void)finish(); }
};

class stt_engine {
 public:
  virtual ~stt_engine() = default;
  virtual std::string name() const = 0;
  // May be called from any thread; each recognizer is independent.
  virtual std::unique_ptr<recognizer> make_recognizer() = 0;
};

}  // namespace parley::stt
