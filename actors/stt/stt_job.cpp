#include "actors/stt/stt_job.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/stt/recognition.hpp"

namespace parley::stt {
namespace {

using namespace parley::messages;
using namespace std::chrono_literals;

struct job_state {
  turn_id turn = 0;
  caf::actor session;
  std::shared_ptr<recognition> heard;
  std::size_t received = 0;  // samples of the utterance this incarnation was sent
  static inline const char* name = "stt_job";
};

using job_actor = caf::stateful_actor<job_state>;

// Every incarnation is sent the utterance from its first sample; what an
// earlier one already fed to the recogniser is skipped.
void hear(job_actor* self, const pcm& samples) {
  auto& st = self->state;
  auto partial = st.heard->hear(st.received, samples.data(), samples.size());
  st.received += samples.size();
  if (partial) self->send(st.session, transcript{st.turn, std::move(*partial), false});
}

}  // namespace

runtime::child_spec stt_job_spec(turn_id turn, const std::string& user,
                                 std::shared_ptr<engines::engine_catalog> catalog,
                                 std::shared_ptr<recognition> heard) {
  runtime::child_spec c;
  c.kind = "stt_job";
  c.tags = {{"turn", std::to_string(turn)}, {"user", user}};
  c.restart = runtime::restart_type::transient;
  c.start = [turn, catalog, heard](caf::local_actor* sup, const runtime::child_context& ctx) {
    // Detached: recognition blocks for real time fractions and must never
    // hold a scheduler thread.
    return sup->spawn<caf::detached>([turn, catalog, heard, ctx](job_actor* self) -> caf::behavior {
      runtime::log_failures(self, "stt", {{"turn", std::to_string(turn)}});
      auto& st = self->state;
      st.turn = turn;
      st.session = ctx.supervisor;
      st.heard = heard;
      auto pool = catalog->stt();
      if (!pool || !heard->ensure_recognizer(*pool, 10s)) {
        self->send(st.session, job_failed{turn, "stt", "no speech recogniser free"});
        self->quit();
        return {};
      }
      runtime::announce_ready(self, ctx.supervisor, ctx.id);
      return {
          [self](speech_audio& a) { hear(self, a.samples); },
          [self, catalog](finish_atom) {
            auto& s = self->state;
            engines::fault_injector::apply(catalog->faults().take("stt"));
            self->send(s.session, transcript{s.turn, s.heard->finish(), true});
            self->quit();
          },
      };
    });
  };
  return c;
}

}  // namespace parley::stt
