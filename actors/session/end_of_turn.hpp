#pragma once
// When a pause ends the turn, from the words heard so far. A fixed silence
// window either keeps a person who has finished waiting or cuts off one who
// is thinking; the partial transcript says which is likelier. Words that
// cannot end a sentence ("and", "um", "the", digits being read out) hold the
// turn open longer; a request the agent already understands whole ends it
// sooner; anything else keeps the usual window.

#include <chrono>
#include <functional>
#include <string_view>

#include "actors/agent/agent_engine.hpp"

namespace parley::session {

struct end_of_turn_settings {
  // Silence that ends a turn the agent understands whole (PARLEY_SILENCE_MIN_MS).
  std::chrono::milliseconds complete{150};
  // Silence that ends a turn whose last word leaves it unfinished
  // (PARLEY_SILENCE_MAX_MS). The usual window is the VAD's silence_window.
  std::chrono::milliseconds unfinished{900};
};

using agent::request_shape;

// The words' own ending first, then what `agent` (may be empty) makes of them.
request_shape shape_of(std::string_view words,
                       const std::function<request_shape(std::string_view)>& agent);

std::chrono::milliseconds silence_for(request_shape shape, const end_of_turn_settings& s,
                                      std::chrono::milliseconds usual);

// The silence that ended an utterance, as the operator tunes it: "short"
// (the words were a whole request), "usual", or "long" (they were not
// finished). Counted in parley_turn_ends_total{window}.
const char* window_name(std::chrono::milliseconds ended_by, std::chrono::milliseconds usual);

}  // namespace parley::session
