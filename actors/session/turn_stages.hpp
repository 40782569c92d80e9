#pragma once
// The turn's stages as the session runs them: an stt_job per utterance, an
// agent job per transcript, a tts_job per reply, each watched by a deadline
// and re-run from what the turn keeps when it fails, dies or hangs.

#include <caf/fwd.hpp>
#include <string>

#include "actors/session/session_state.hpp"

namespace parley::session {

void on_speech_start(session_actor* self, messages::speech_start& s);
void on_speech_audio(session_actor* self, messages::speech_audio& a);
void on_speech_end(session_actor* self, messages::speech_end& e);
void on_text_turn(session_actor* self, const std::string& user, const std::string& text);
void on_transcript(session_actor* self, messages::transcript& tr);
void on_sentence(session_actor* self, messages::reply_sentence& r);
void on_sentence_audio(session_actor* self, messages::sentence_audio& a);
void on_job_failed(session_actor* self, messages::job_failed& f);
void on_watchdog(session_actor* self, messages::turn_id id, const std::string& stage,
                 std::uint32_t gen);
// A job of a turn was restarted: it is handed what the turn holds. False
// when `id` is no turn's job.
bool on_job_restarted(session_actor* self, runtime::actor_id id, const caf::actor& h);
// A job has what it needs to work (an stt job, a recogniser): its deadline runs.
void on_job_ready(session_actor* self, runtime::actor_id id);
// A new incarnation picks up the turns its predecessor left.
void resume_turns(session_actor* self);

}  // namespace parley::session
