#pragma once
// audio_stream: one per speaker. Decodes Opus, resamples 48 -> 16 kHz, finds
// speech and its end, and streams the speech to its guild_session.

#include <caf/actor.hpp>
#include <string>

#include "actors/audio/voice_activity.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::session {
struct voice_metrics;
}

namespace parley::audio {

runtime::child_spec audio_stream_spec(const std::string& guild, const std::string& user,
                                      vad_config vad, session::voice_metrics* stats);

}  // namespace parley::audio
