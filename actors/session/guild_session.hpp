#pragma once
// guild_session: one per guild (voice room). It owns the turn: it starts an
// audio_stream per member, an stt_job per utterance, an agent job per turn
// and a tts_job per reply, supervises them (one_for_one), keeps what the
// user said until it is answered, and paces reply audio out at 20 ms.

#include <chrono>
#include <memory>
#include <string>

#include "actors/audio/voice_activity.hpp"
#include "actors/session/end_of_turn.hpp"
#include "actors/session/reflex_settings.hpp"
#include "runtime/common/on_demand.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::session {

struct voice_metrics;

struct session_settings {
  audio::vad_config vad;
  end_of_turn_settings end_of_turn;  // the silence window, fitted to the words
  std::shared_ptr<engines::engine_catalog> catalog;
  voice_metrics* stats = nullptr;
  runtime::intensity_policy intensity;
  std::size_t history_turns = 6;    // short conversation memory per guild
  std::uint32_t max_attempts = 3;   // failed jobs per turn before the user hears an apology
  std::uint32_t max_restarts = 20;  // jobs that died, per turn, likewise
  std::chrono::milliseconds empty_timeout{10000};  // a restarted session nobody rejoins ends
  std::chrono::milliseconds rejoin_grace{3000};    // members who have not rejoined by then left
  // The watchdog abandons and re-runs a job past its deadline.
  std::chrono::milliseconds stt_deadline{10000};    // end of speech -> transcript
  std::chrono::milliseconds agent_deadline{30000};  // transcript -> whole reply
  std::chrono::milliseconds tts_deadline{15000};    // between sentences' audio
  reflex_settings reflex;
};

// The sessions supervisor's on-demand children: a guild_session per guild,
// each with a memory that outlives its incarnations (and the supervisor's).
std::shared_ptr<runtime::on_demand_children> guild_sessions(session_settings settings);

}  // namespace parley::session
