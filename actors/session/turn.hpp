#pragma once
// A turn as data: what one user said and what is being answered. The
// session keeps it until the reply was spoken, so any job can be re-run.
// Its phase only moves forward; the transitions say which step is done.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/stt/recognition.hpp"
#include "messages/voice.hpp"
#include "runtime/common/registry.hpp"

namespace parley::session {

enum class turn_phase {
  listening,     // the user is still speaking
  transcribing,  // the utterance ended; its transcript is not final yet
  answering,     // the agent is writing the reply
  voicing,       // the reply is whole; its audio is being made
  playing,       // all of its audio is queued; the last frames are going out
  interrupted,   // cut off by a barge-in
};
const char* to_string(turn_phase p);

struct turn {
  using clock = std::chrono::steady_clock;

  messages::turn_id id = 0;
  std::string user;
  turn_phase phase = turn_phase::listening;
  std::uint64_t first_seq = 0;  // the transport's frames of this utterance (0: a typed turn)
  std::chrono::milliseconds silence_window{0};  // the silence its words so far call for
  std::uint64_t last_seq = 0;
  messages::pcm audio;                      // 16 kHz speech, kept until the transcript is final
  std::shared_ptr<stt::recognition> heard;  // resumed by a restarted stt_job
  std::string transcript;
  std::vector<std::string> sentences;          // the reply so far, by index
  std::uint32_t sentences_voiced = 0;          // sentences whose audio has arrived
  std::uint32_t partly_voiced = 0;             // frames of the next sentence queued already
  double partly_synth_seconds = 0;             // and the time it took to make them
  std::uint32_t frames_sent = 0;               // reply frames played, reported in audio_ended
  std::uint32_t failures = 0;                  // jobs that failed or missed their deadline
  std::uint32_t restarts = 0;                  // jobs restarted after dying
  std::map<std::string, std::uint32_t> watch;  // each stage's current watchdog
  bool reflex_due = false;                     // the reflex delay passed (reflex.hpp)
  bool reflexed = false;                       // a reflex played for it: at most one

  runtime::actor_id stt = 0, agent = 0, tts = 0;

  clock::time_point last_voice_at;  // when the last voiced frame arrived
  clock::time_point transcript_at;
  clock::time_point speech_end_at;

  bool speaking() const { return phase == turn_phase::listening; }
  bool transcribed() const { return phase >= turn_phase::answering; }
  bool reply_complete() const {
    return phase == turn_phase::voicing || phase == turn_phase::playing;
  }
  bool audio_complete() const { return phase == turn_phase::playing; }
  bool interrupted() const { return phase == turn_phase::interrupted; }
  bool audio_started() const { return frames_sent > 0; }

  // Transitions. Each returns false, changing nothing, when the turn is not
  // in the phase the step starts from (a re-run's repeat, a late message).
  bool end_speech();                  // listening -> transcribing
  bool transcribe(std::string text);  // listening or transcribing -> answering
  bool complete_reply();              // answering -> voicing
  bool complete_audio();              // voicing -> playing
  bool interrupt();                   // answering, voicing or playing -> interrupted
  // A stage failed for good: the user hears `apology` instead, and the turn
  // is not remembered as said (its transcript goes).
  void answer_with(const std::string& apology);

  // The frames of a piece of sentence audio that are new, or nullopt when
  // the piece does not follow what was queued (a gap cannot be filled
  // later). A replacement tts_job says an interrupted sentence again from
  // its start; what was queued of it already is skipped.
  struct piece {
    std::size_t skip = 0;                    // frames at the front already queued
    std::optional<double> sentence_seconds;  // the sentence is done: its synthesis time
  };
  std::optional<piece> accept(const messages::sentence_audio& a);

  // The reply as one text, for the conversation memory.
  std::string reply_text() const;
};

}  // namespace parley::session
