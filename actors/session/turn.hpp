#pragma once
// A turn as data: what one user said and what is being answered. The
// session keeps it until the reply was spoken, so any job can be re-run.

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/agent/agent_engine.hpp"
#include "actors/session/open_turns.hpp"
#include "actors/session/room.hpp"
#include "actors/stt/recognition.hpp"
#include "messages/voice.hpp"
#include "runtime/registry.hpp"

namespace parley::session {

struct turn {
  using clock = std::chrono::steady_clock;

  messages::turn_id id = 0;
  std::string user;
  std::uint64_t first_seq = 0;  // the transport's frames of this utterance
  std::uint64_t last_seq = 0;
  messages::pcm audio;                      // 16 kHz speech, kept until the transcript is final
  std::shared_ptr<stt::recognition> heard;  // resumed by a restarted stt_job
  bool speech_done = false;
  std::string transcript;
  bool transcript_final = false;
  std::vector<std::string> sentences;  // the reply so far, by index
  bool reply_complete = false;
  std::uint32_t sentences_voiced = 0;  // sentences whose audio has arrived
  std::uint32_t partly_voiced = 0;     // frames of the next sentence queued already
  double partly_synth_seconds = 0;     // and the time it took to make them
  bool audio_complete = false;
  bool audio_started = false;
  std::uint32_t frames_sent = 0;  // reply frames sent, reported in audio_ended
  bool cancelled = false;
  std::uint32_t failures = 0;                  // jobs that failed or missed their deadline
  std::uint32_t restarts = 0;                  // jobs restarted after dying
  std::map<std::string, std::uint32_t> watch;  // each stage's current watchdog

  runtime::actor_id stt = 0, agent = 0, tts = 0;

  clock::time_point last_voice_at;  // when the last voiced frame arrived
  clock::time_point transcript_at;
  clock::time_point speech_end_at;
};

// What a guild_session keeps across its own restarts: a killed session's
// replacement picks up every turn where it was (the supervisor's child spec
// holds this, not the actor).
struct session_memory {
  explicit session_memory(open_turns* counter) : open(counter) {}
  session_memory(const session_memory&) = delete;
  session_memory& operator=(const session_memory&) = delete;
  // The session ended for good: what it held is not open any more.
  ~session_memory() {
    if (open != nullptr) open->closed(turns.size());
  }

  open_turns* open;  // counts `turns` across every session
  std::map<messages::turn_id, turn> turns;
  messages::turn_id next_turn = 1;
  // Reply audio waiting to be paced out; one reply plays at a time.
  std::deque<std::pair<messages::turn_id, messages::bytes>> playout;
  std::deque<agent::chat_turn> history;  // short conversation memory
  // Who is in the room, and what those not connected right now are owed.
  room_memory room;
};

}  // namespace parley::session
