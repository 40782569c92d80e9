#pragma once
// stt_job: one per utterance. Streams the speech into a pooled recogniser
// while the user talks, so only finalisation remains at the end of the turn.
// The recognition itself belongs to the turn: a restarted job resumes it.

#include <memory>

#include "messages/voice.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::stt {

class recognition;

runtime::child_spec stt_job_spec(messages::turn_id turn, const std::string& user,
                                 std::shared_ptr<engines::engine_catalog> catalog,
                                 std::shared_ptr<recognition> heard);

}  // namespace parley::stt
