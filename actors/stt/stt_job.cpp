#include "actors/stt/stt_job.hpp"

#include <caf/all.hpp>

#include "actors/engines/engine_catalog.hpp"
#include "actors/stt/recognition.hpp"
#include "runtime/common/job.hpp"

namespace parley::stt {
namespace {

using namespace parley::messages;
using namespace std::chrono_literals;

// Longer than this without a free recogniser, the job fails and the
// session runs it again (or apologises); the wait is queueing, not a hang.
constexpr auto recognizer_wait = 10s;

struct job_state {
  runtime::job_identity id;
  runtime::child_context ctx;
  std::shared_ptr<engines::engine_catalog> catalog;
  std::shared_ptr<recognition> heard;
  std::size_t received = 0;  // samples of the utterance this incarnation was sent
  static inline const char* name = "stt_job";
};

using job_actor = caf::stateful_actor<job_state>;

// A recogniser for the turn (its predecessor's, when it had one). A stop
// wakes the wait: a barge-in does not leave a job queued for ten seconds.
void start(job_actor* self) {
  auto& st = self->state;
  auto pool = st.catalog->stt();
  if (!pool)
    return runtime::fail_job(self, st.ctx.supervisor, st.id, "no speech recogniser loaded", false);
  st.ctx.cancel->set_waker([pool] { pool->wake_waiters(); });
  const bool leased = st.heard->ensure_recognizer(*pool, recognizer_wait, st.ctx.cancel.get());
  st.ctx.cancel->set_waker(nullptr);
  // Stopped or killed: the exit message that came with the cancel ends the
  // job with its own reason, so a kill is restarted and a stop is not.
  if (st.ctx.cancel->cancelled()) return;
  if (!leased)
    return runtime::fail_job(self, st.ctx.supervisor, st.id, "no speech recogniser free", true);
  runtime::announce_ready(self, st.ctx.supervisor, st.ctx.id);
}

// Every incarnation is sent the utterance from its first sample; what an
// earlier one already fed to the recogniser is skipped.
void hear(job_actor* self, const pcm& samples) {
  auto& st = self->state;
  auto partial = st.heard->hear(st.received, samples.data(), samples.size());
  st.received += samples.size();
  if (partial)
    self->send(st.ctx.supervisor,
               transcript{st.id.turn, std::move(partial->text), false, partial->speech_over});
}

void finish(job_actor* self) {
  auto& st = self->state;
  engines::fault_injector::apply(st.catalog->faults().take("stt"));
  self->send(st.ctx.supervisor, transcript{st.id.turn, st.heard->finish(), true});
  self->quit();
}

}  // namespace

runtime::child_spec stt_job_spec(turn_id turn, const std::string& user,
                                 std::shared_ptr<engines::engine_catalog> catalog,
                                 std::shared_ptr<recognition> heard) {
  runtime::job_identity id{runtime::job_stage::stt, turn, user};
  return runtime::job_spec<job_state>(
      id,
      [id, catalog, heard](job_actor* self, const runtime::child_context& ctx) -> caf::behavior {
        self->state = job_state{id, ctx, catalog, heard, 0};
        return {
            [self](runtime::start_job_atom) { start(self); },
            [self](speech_audio& a) { hear(self, a.samples); },
            [self](finish_atom) { finish(self); },
        };
      });
}

}  // namespace parley::stt
