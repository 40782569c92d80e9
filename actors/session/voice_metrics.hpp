#pragma once
// The voice pipeline's metrics, registered once and shared by every session.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "actors/session/open_turns.hpp"

namespace parley::session {

struct voice_metrics {
  explicit voice_metrics(prometheus::Registry& r);

  prometheus::Histogram& turn_latency;   // last speech frame in -> first reply frame out
  prometheus::Histogram& stt_seconds;    // end of speech -> final transcript
  prometheus::Histogram& agent_seconds;  // transcript -> first reply sentence
  prometheus::Histogram& tts_seconds;    // sentence in -> its audio out
  prometheus::Gauge& sessions;           // guild sessions
  prometheus::Gauge& connections;        // voice connections
  prometheus::Counter& frames_in;
  prometheus::Counter& frames_out;
  prometheus::Counter& barge_ins;
  prometheus::Counter& reflexes;  // acknowledgements played while the agent thought
  prometheus::Counter& turns;
  prometheus::Family<prometheus::Counter>& errors;          // {phase}
  prometheus::Family<prometheus::Counter>& watchdog_kills;  // {stage}
  prometheus::Family<prometheus::Counter>& turn_ends;       // {window}: end_of_turn.hpp
  open_turns open;                                          // parley_turns_open
};

}  // namespace parley::session
