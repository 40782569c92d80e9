#pragma once
// agent_job: one per turn. Asks the agent engine and streams its reply to
// the guild_session sentence by sentence, so speech starts on the first.

#include <memory>

#include "actors/agent/agent_engine.hpp"
#include "messages/voice.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::engines {
class engine_catalog;
}

namespace parley::agent {

runtime::child_spec agent_job_spec(messages::turn_id turn, agent_request request,
                                   std::shared_ptr<engines::engine_catalog> catalog);

}  // namespace parley::agent
