#pragma once
// The reflex lane's settings (PARLEY_REFLEX*): what the room hears while a
// slow agent thinks, and when.

#include <chrono>
#include <string>
#include <vector>

namespace parley::session {

struct reflex_settings {
  // PARLEY_REFLEX resolved: auto is on for a remote agent, whose first
  // sentence takes a network round trip, and off for the built-in one,
  // which answers within a frame or two.
  bool on = false;
  // From the end of the turn: reply audio not started by then, a reflex plays.
  std::chrono::milliseconds delay{300};
  // Longer clips are not used: a reflex that outlasts the wait only delays
  // the answer it was meant to bridge.
  std::chrono::milliseconds longest{1500};
  // Between the reflex's end and the reply's start, so the two do not run
  // into each other as one utterance.
  std::chrono::milliseconds gap{200};
  std::vector<std::string> phrases{"Mm-hm.", "One moment.", "Let me see."};
};

}  // namespace parley::session
