#pragma once
// The speech-to-text interface: engines hide their library behind it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

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
  // The engine's own end-of-speech detection says the user has stopped
  // (Deepgram's speech_final): a second opinion next to the VAD's silence
  // window, so a turn can end sooner. Engines without one say false.
  virtual bool heard_end_of_speech() { return false; }
  // Final text of the utterance; afterwards the recognizer is ready for begin().
  // Safe without an open utterance (returns "").
  virtual std::string finish() = 0;
  // Brings a recognizer in an unknown state (e.g. abandoned mid-utterance) back to idle.
  // The default discards a final result, which finish() guarantees to be enough.
  virtual void reset() { (void)finish(); }

  // Called with true before work that waits on the network rather than the
  // CPU (a remote engine's upload) and with false after it, so that whoever
  // lent this recognizer a compute slot can give it to another speaker.
  void set_network_wait(std::function<void(bool waiting)> hook) { network_wait_ = std::move(hook); }

 protected:
  template <class F>
  auto waiting_on_network(F&& work) {
    struct bracket {
      const std::function<void(bool)>& hook;
      explicit bracket(const std::function<void(bool)>& h) : hook(h) {
        if (hook) hook(true);
      }
      ~bracket() {
        if (hook) hook(false);
      }
      bracket(const bracket&) = delete;
      bracket& operator=(const bracket&) = delete;
    } b(network_wait_);
    return work();
  }

 private:
  std::function<void(bool)> network_wait_;
};

class stt_engine {
 public:
  virtual ~stt_engine() = default;
  virtual std::string name() const = 0;
  // May be called from any thread; each recognizer is independent.
  virtual std::unique_ptr<recognizer> make_recognizer() = 0;
};

}  // namespace parley::stt
