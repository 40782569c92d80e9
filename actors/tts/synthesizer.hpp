#pragma once
// The text-to-speech interface: engines hide their library behind it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace parley::tts {

// Receives consecutive chunks of mono int16 audio at the engine's sample_rate();
// returning false cancels the synthesis promptly. A call with n == 0 carries no
// audio: an engine that is waiting (a remote provider that is slow or stalled)
// asks that way whether the sentence is still wanted, so a barge-in reaches it.
using audio_sink = std::function<bool(const int16_t*, size_t)>;

class tts_engine {
 public:
  virtual ~tts_engine() = default;
  virtual std::string name() const = 0;
  virtual int sample_rate() const = 0;
  // Speaks one sentence into `sink`, chunk by chunk as it is produced. Returns false if the
  // sink cancelled or the engine failed. An exception thrown by the sink propagates.
  // Engines say whether concurrent calls on one object are allowed.
  virtual bool synthesize(const std::string& sentence,
                          const std::function<bool(const int16_t*, size_t)>& sink) = 0;
};

}  // namespace parley::tts
