#include "actors/agent/agent_job.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/tts/sentence_splitter.hpp"

namespace parley::agent {

using namespace parley::messages;

runtime::child_spec agent_job_spec(turn_id turn, agent_request request,
                                   std::shared_ptr<engines::engine_catalog> catalog) {
  runtime::child_spec c;
  c.kind = "agent";
  c.tags = {{"turn", std::to_string(turn)}, {"user", request.user}};
  c.restart = runtime::restart_type::transient;
  c.start = [turn, request, catalog](caf::local_actor* sup, const runtime::child_context& ctx) {
    // Detached: a remote agent blocks on HTTP for seconds.
    return sup->spawn<caf::detached>([turn, request, catalog, ctx](caf::event_based_actor* self) {
      runtime::log_failures(self, "agent", {{"turn", std::to_string(turn)}});
      runtime::announce_ready(self, ctx.supervisor, ctx.id);
      auto engine = catalog->agent();
      engines::fault_injector::apply(catalog->faults().take("agent"));
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
                                                return true;
                                              })
                            : std::optional<std::string>("no agent engine loaded");
      if (failure) {
        self->send(ctx.supervisor, job_failed{turn, "agent", *failure});
      } else {
        emit(splitter.flush().value_or(""), true);
      }
      self->quit();
      return caf::behavior{};
    });
  };
  return c;
}

}  // namespace parley::agent
