#pragma once
// The reflex lane's acknowledgements ("Mm-hm.", "One moment."): said once
// by the published speech engine when it loads, as Opus frames ready to
// play, so that a session waiting on a slow agent has something to say at
// once without asking the engine anything.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "actors/tts/synthesizer.hpp"
#include "messages/transport.hpp"

namespace parley::tts {

struct reflex_clip {
  std::string text;
  std::vector<messages::bytes> frames;  // 20 ms Opus packets, as a tts_job makes them
  std::chrono::milliseconds length() const { return std::chrono::milliseconds(20 * frames.size()); }
};

class reflex_clips {
 public:
  // Synthesises each phrase with `engine`. Blocking: call it where an engine
  // call may block (the engine host's thread). A phrase the engine cannot
  // say is left out; none at all leaves the set empty.
  static std::shared_ptr<const reflex_clips> make(tts_engine& engine,
                                                  const std::vector<std::string>& phrases);

  explicit reflex_clips(std::vector<reflex_clip> clips) : clips_(std::move(clips)) {}

  // The next clip from `cursor` on that lasts at most `longest`, rotating
  // (the cursor moves past it); nullptr when none is that short.
  const reflex_clip* next(std::size_t& cursor, std::chrono::milliseconds longest) const;
  std::size_t size() const { return clips_.size(); }

 private:
  std::vector<reflex_clip> clips_;
};

}  // namespace parley::tts
