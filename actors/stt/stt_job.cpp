#include "actors/stt/stt_job.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"

namespace parley::stt {
namespace {

using namespace parley::messages;
using namespace std::chrono_literals;

// Partials cost a search over the lattice: at most one per this much audio.
constexpr std::size_t partial_every_samples = 16000 / 4;

struct job_state {
  turn_id turn = 0;
  caf::actor session;
  std::optional<recognizer_pool::lease> lease;
  std::size_t since_partial = 0;
  std::string last_partial;
  static inline const char* name = "stt_job";
};

using job_actor = caf::stateful_actor<job_state>;

void feed(job_actor* self, const pcm& samples) {
  auto& st = self->state;
  (*st.lease)->feed(samples.data(), samples.size());
  st.since_partial += samples.size();
  if (st.since_partial < partial_every_samples) return;
  st.since_partial = 0;
  auto text = (*st.lease)->partial();
  if (!text.empty() && text != st.last_partial) {
    st.last_partial = text;
    self->send(st.session, transcript{st.turn, std::move(text), false});
  }
}

}  // namespace

runtime::child_spec stt_job_spec(turn_id turn, const std::string& user,
                                 std::shared_ptr<engines::engine_catalog> catalog) {
  runtime::child_spec c;
  c.kind = "stt_job";
  c.tags = {{"turn", std::to_string(turn)}, {"user", user}};
  c.restart = runtime::restart_type::transient;
  c.start = [turn, catalog](caf::local_actor* sup, const runtime::child_context& ctx) {
    // Detached: recognition blocks for real time fractions and must never
    // hold a scheduler thread.
    return sup->spawn<caf::detached>([turn, catalog, ctx](job_actor* self) -> caf::behavior {
      auto& st = self->state;
      st.turn = turn;
      st.session = ctx.supervisor;
      auto pool = catalog->stt();
      if (pool) st.lease = pool->acquire(10s);
      if (!st.lease) {
        self->send(st.session, job_failed{turn, "stt", "no speech recogniser free"});
        self->quit();
        return {};
      }
      (*st.lease)->begin();
      runtime::announce_ready(self, ctx.supervisor, ctx.id);
      return {
          [self](speech_audio& a) { feed(self, a.samples); },
          [self, catalog](finish_atom) {
            auto& s = self->state;
            engines::fault_injector::apply(catalog->faults().take("stt"));
            self->send(s.session, transcript{s.turn, (*s.lease)->finish(), true});
            self->quit();
          },
      };
    });
  };
  return c;
}

}  // namespace parley::stt
