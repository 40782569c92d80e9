#include "actors/agent/agent_job.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/tts/sentence_splitter.hpp"
#include "runtime/common/job.hpp"

namespace parley::agent {

using namespace parley::messages;

namespace {

struct job_state {
  static inline const char* name = "agent";
};
using job_actor = caf::stateful_actor<job_state>;

// Asks the engine and sends the reply sentence by sentence. A cancelled
// request (barge-in) ends quietly: nobody waits for its sentences.
void respond(job_actor* self, const runtime::job_identity& id, const agent_request& request,
             engines::engine_catalog& catalog, const runtime::child_context& ctx) {
  auto engine = catalog.agent();
  if (!engine) return runtime::fail_job(self, ctx.supervisor, id, "no agent engine loaded", false);
  engines::fault_injector::apply(catalog.faults().take("agent"));
  tts::sentence_splitter splitter;
  std::uint32_t index = 0;
  auto emit = [&](std::string text, bool final) {
    self->send(ctx.supervisor, reply_sentence{id.turn, index++, std::move(text), final});
  };
  auto failure = engine->respond(request, [&](std::string_view piece) {
    splitter.push(piece);
    for (auto& s : splitter.take_sentences()) emit(std::move(s), false);
    return !ctx.cancel->cancelled();
  });
  // Stopped or killed: the exit message that came with the cancel ends the
  // job with its own reason, so a kill is restarted and a stop is not.
  if (ctx.cancel->cancelled()) return;
  if (failure) return runtime::fail_job(self, ctx.supervisor, id, *failure, true);
  emit(splitter.flush().value_or(""), true);
  self->quit();
}

}  // namespace

runtime::child_spec agent_job_spec(turn_id turn, agent_request request,
                                   std::shared_ptr<engines::engine_catalog> catalog) {
  runtime::job_identity id{runtime::job_stage::agent, turn, request.user};
  return runtime::job_spec<job_state>(
      id,
      [id, request, catalog](job_actor* self,
                             const runtime::child_context& ctx) mutable -> caf::behavior {
        request.cancel = ctx.cancel;
        return {[=](runtime::start_job_atom) {
          runtime::announce_ready(self, ctx.supervisor, ctx.id);
          respond(self, id, request, *catalog, ctx);
        }};
      });
}

}  // namespace parley::agent
