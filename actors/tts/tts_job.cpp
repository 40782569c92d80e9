#include "actors/tts/tts_job.hpp"

#include <caf/all.hpp>

#include "actors/audio/opus_codec.hpp"
#include "actors/audio/resampler.hpp"
#include "actors/engines/engine_catalog.hpp"

namespace parley::tts {
namespace {

using namespace parley::messages;

struct job_state {
  turn_id turn = 0;
  caf::actor session;
  std::shared_ptr<tts_engine> engine;
  std::optional<audio::opus_encoder> encoder;
  static inline const char* name = "tts_job";
};

using job_actor = caf::stateful_actor<job_state>;

std::vector<std::int16_t> to_48k(const std::vector<std::int16_t>& in, int rate) {
  if (rate == 48000) return in;
  if (rate == 16000) return audio::upsampler_16k_to_48k().process(in);
  return audio::linear_resampler(rate, 48000).process(in);
}

void speak(job_actor* self, reply_sentence& r) {
  auto& st = self->state;
  const auto t0 = std::chrono::steady_clock::now();
  sentence_audio out{st.turn, r.index, {}, r.final, 0};
  if (!r.text.empty()) {
    std::vector<std::int16_t> pcm;
    const bool ok = st.engine->synthesize(r.text, [&](const std::int16_t* s, std::size_t n) {
      pcm.insert(pcm.end(), s, s + n);
      return true;
    });
    if (!ok) {
      self->send(st.session, job_failed{st.turn, "tts", "synthesis failed"});
      self->quit();
      return;
    }
    auto pcm48 = to_48k(pcm, st.engine->sample_rate());
    pcm48.resize((pcm48.size() + audio::opus_frame_samples - 1) / audio::opus_frame_samples *
                 audio::opus_frame_samples);
    for (std::size_t i = 0; i < pcm48.size(); i += audio::opus_frame_samples) {
      auto enc = st.encoder->encode(pcm48.data() + i, audio::opus_frame_samples);
      if (enc.ok()) out.frames.push_back(std::move(enc.packet));
    }
  }
  out.synth_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  self->send(st.session, std::move(out));
  if (r.final) self->quit();
}

}  // namespace

runtime::child_spec tts_job_spec(turn_id turn, std::shared_ptr<engines::engine_catalog> catalog) {
  runtime::child_spec c;
  c.kind = "tts_job";
  c.tags = {{"turn", std::to_string(turn)}};
  c.restart = runtime::restart_type::transient;
  c.start = [turn, catalog](caf::local_actor* sup, const runtime::child_context& ctx) {
    // Detached: synthesis and encoding block for milliseconds per sentence.
    return sup->spawn<caf::detached>([turn, catalog, ctx](job_actor* self) -> caf::behavior {
      auto& st = self->state;
      st.turn = turn;
      st.session = ctx.supervisor;
      st.engine = catalog->tts();
      // Complexity 5 halves the encode cost of 9 for speech we synthesised.
      st.encoder.emplace(audio::encoder_config{32000, 5});
      if (!st.engine) {
        self->send(st.session, job_failed{turn, "tts", "no speech synthesiser loaded"});
        self->quit();
        return {};
      }
      runtime::announce_ready(self, ctx.supervisor, ctx.id);
      return {[self, catalog](reply_sentence& r) {
        engines::fault_injector::apply(catalog->faults().take("tts"));
        speak(self, r);
      }};
    });
  };
  return c;
}

}  // namespace parley::tts
