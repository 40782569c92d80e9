#pragma once
// What every per-turn job (stt_job, agent, tts_job) shares: a slot in its
// session's tree labelled with turn and user, restarted only when it dies
// (a job that finished is done), a thread of its own (engine calls block),
// failures logged, and its work started by a message, never in its init: a
// stop or a kill that came first is handled before any work.

#include <caf/all.hpp>
#include <cstdint>
#include <string>

#include "messages/voice.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::runtime {

enum class job_stage { stt, agent, tts };
const char* to_string(job_stage s);  // "stt", "agent", "tts": the session's stage names
const char* kind_of(job_stage s);    // the registry's kinds: "stt_job", "agent", "tts_job"

struct job_identity {
  job_stage stage = job_stage::stt;
  messages::turn_id turn = 0;
  std::string user;
};

// Sent to a job by itself, ahead of what its session queued (high priority).
using start_job_atom = caf::atom_constant<caf::atom("startjob")>;

// The job cannot do its work: its session hears why and whether running it
// again can help (a missing engine: no), and the job ends.
void fail_job(caf::scheduled_actor* self, const caf::actor& session, const job_identity& id,
              std::string reason, bool retry);

// `body(self, ctx)` sets the job's state and returns its behaviour, which
// must handle start_job_atom: the job's first message, where its work (and
// its announce_ready) begins.
template <class State, class Body>
child_spec job_spec(job_identity id, Body body) {
  child_spec c;
  c.kind = kind_of(id.stage);
  c.tags = {{"turn", std::to_string(id.turn)}};
  if (!id.user.empty()) c.tags["user"] = id.user;
  c.restart = restart_type::transient;
  c.start = [id, body](caf::local_actor* sup, const child_context& ctx) {
    return sup->spawn<caf::detached>(
        [id, body, ctx](caf::stateful_actor<State>* self) mutable -> caf::behavior {
          log_failures(self, to_string(id.stage), {{"turn", std::to_string(id.turn)}});
          auto behavior = body(self, ctx);
          self->template send<caf::message_priority::high>(self, start_job_atom::value);
          return behavior;
        });
  };
  return c;
}

}  // namespace parley::runtime
