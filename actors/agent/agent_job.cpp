#include "actors/agent/agent_job.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/tts/sentence_splitter.hpp"

namespace parley::agent {

using namespace parley::messages;

namespace {

using respond_atom = caf::atom_constant<caf::atom("respond")>;

// Asks the engine and sends the reply sentence by sentence. A cancelled
// request (barge-in) ends quietly: nobody waits for its sentences.
void respond(caf::event_based_actor* self, turn_id turn, const agent_request& request,
             engines::engine_catalog& catalog, const runtime::child_context& ctx) {
  auto engine = catalog.agent();
  engines::fault_injector::apply(catalog.faults().take("agent"));
  tts::sentence_splitter splitter;
  std::uint32_t index = 0;
  auto emit = [&](std::string text, bool final) {
    self->send(ctx.supervisor, reply_sentence{turn, index++, std::move(text), final});
  };
  auto failure = engine ? engine->respond(request,
                                          [&](std::string_view piece) {
                                            splitter.push(piece);
                                            for (auto& s : splitter.take_sentences())
                                              emit(std::move(s), false);
                                            return !ctx.cancel->cancelled();
                                          })
                        : std::optional<std::string>("no agent engine loaded");
  if (ctx.cancel->cancelled()) return;
  if (failure)
    self->send(ctx.supervisor, job_failed{turn, "agent", *failure});
  else
    emit(splitter.flush().value_or(""), true);
}

}  // namespace

runtime::child_spec agent_job_spec(turn_id turn, agent_request request,
                                   std::shared_ptr<engines::engine_catalog> catalog) {
  runtime::child_spec c;
  c.kind = "agent";
  c.tags = {{"turn", std::to_string(turn)}, {"user", request.user}};
  c.restart = runtime::restart_type::transient;
  c.start = [turn, request, catalog](caf::local_actor* sup, const runtime::child_context& ctx) {
    // Detached: a remote agent blocks on HTTP for seconds.
    return sup->spawn<caf::detached>(
        [turn, request, catalog, ctx](caf::event_based_actor* self) mutable -> caf::behavior {
          runtime::log_failures(self, "agent", {{"turn", std::to_string(turn)}});
          request.cancel = ctx.cancel;
          runtime::announce_ready(self, ctx.supervisor, ctx.id);
          // The work starts with a message, so a stop that came first wins.
          self->send(self, respond_atom::value);
          return {[=](respond_atom) {
            respond(self, turn, request, *catalog, ctx);
            self->quit();
          }};
        });
  };
  return c;
}

}  // namespace parley::agent
