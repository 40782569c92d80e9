#pragma once
// tts_job: one per reply. Synthesises sentence by sentence, resamples to
// 48 kHz and encodes 20 ms Opus frames for the session to pace out.

#include <memory>

#include "messages/voice.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::tts {

runtime::child_spec tts_job_spec(messages::turn_id turn,
                                 std::shared_ptr<engines::engine_catalog> catalog);

}  // namespace parley::tts
