#include "runtime/common/job.hpp"

namespace parley::runtime {

const char* to_string(job_stage s) {
  switch (s) {
    case job_stage::stt:
      return "stt";
    case job_stage::agent:
      return "agent";
    case job_stage::tts:
      return "tts";
  }
  return "unknown";
}

const char* kind_of(job_stage s) {
  switch (s) {
    case job_stage::stt:
      return "stt_job";
    case job_stage::agent:
      return "agent";
    case job_stage::tts:
      return "tts_job";
  }
  return "unknown";
}

void fail_job(caf::scheduled_actor* self, const caf::actor& session, const job_identity& id,
              std::string reason, bool retry) {
  caf::send_as(caf::actor_cast<caf::actor>(self), session,
               messages::job_failed{id.turn, to_string(id.stage), std::move(reason), retry});
  self->quit();
}

}  // namespace parley::runtime
