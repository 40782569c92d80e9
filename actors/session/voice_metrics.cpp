#include "actors/session/voice_metrics.hpp"

#include "runtime/common/metrics.hpp"

namespace parley::session {
namespace {

prometheus::Histogram& histogram(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r).Add(
      {}, runtime::metrics::latency_buckets());
}
prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}
prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

voice_metrics::voice_metrics(prometheus::Registry& r)
    : turn_latency(histogram(r, "parley_turn_latency_seconds",
                             "From the last speech frame received to the first reply frame sent.")),
      stt_seconds(
          histogram(r, "parley_stt_seconds", "From end of speech to the final transcript.")),
      agent_seconds(histogram(r, "parley_agent_seconds",
                              "From the final transcript to the first reply sentence.")),
      tts_seconds(histogram(r, "parley_tts_seconds", "Synthesis and encoding of one sentence.")),
      sessions(gauge(r, "parley_sessions", "Guild sessions running.")),
      connections(gauge(r, "parley_voice_connections", "Voice WebSocket connections open.")),
      frames_in(counter(r, "parley_frames_in_total", "Opus frames received from clients.")),
      frames_out(counter(r, "parley_frames_out_total", "Opus frames sent to clients.")),
      barge_ins(counter(r, "parley_barge_ins_total", "Replies cut off by user speech.")),
      reflexes(counter(r, "parley_reflexes_total",
                       "Acknowledgements played because a reply was slow to start.")),
      turns(counter(r, "parley_turns_total", "Turns answered.")),
      errors(prometheus::BuildCounter()
                 .Name("parley_turn_errors_total")
                 .Help("Turn failures by phase (stt, agent, tts, audio).")
                 .Register(r)),
      watchdog_kills(prometheus::BuildCounter()
                         .Name("parley_watchdog_kills_total")
                         .Help("Jobs abandoned past their deadline, by stage.")
                         .Register(r)),
      turn_ends(prometheus::BuildCounter()
                    .Name("parley_turn_ends_total")
                    .Help("Utterances ended, by the silence window in force: short (a whole "
                          "request), usual, long (unfinished words).")
                    .Register(r)),
      open(gauge(r, "parley_turns_open", "Turns heard and not yet answered or given up.")) {
  // Every label value starts at zero: the first failure is an increase.
  for (const char* stage : {"stt", "agent", "tts"}) {
    errors.Add({{"phase", stage}});
    watchdog_kills.Add({{"stage", stage}});
  }
  errors.Add({{"phase", "audio"}});
  for (const char* window : {"short", "usual", "long"}) turn_ends.Add({{"window", window}});
}

}  // namespace parley::session
