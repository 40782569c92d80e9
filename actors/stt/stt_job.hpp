#pragma once
// stt_job: one per utterance. Streams the speech into a pooled recogniser
// while the user talks, so only finalisation remains at the end of the turn.

#include <memory>

#include "messages/voice.hpp"
#include "runtime/supervisor.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::stt {

runtime::child_spec stt_job_spec(messages::turn_id turn, const std::string& user,
                                 std::shared_ptr<engines::engine_catalog> catalog);

}  // namespace parley::stt
