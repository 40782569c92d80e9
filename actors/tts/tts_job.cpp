#include "actors/tts/tts_job.hpp"

#include <caf/all.hpp>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "actors/audio/opus_codec.hpp"
#include "actors/audio/resampler.hpp"
#include "actors/engines/engine_catalog.hpp"
#include "runtime/common/job.hpp"

namespace parley::tts {
namespace {

using namespace parley::messages;

struct job_state {
  runtime::job_identity id;
  caf::actor session;
  std::shared_ptr<tts_engine> engine;
  std::shared_ptr<runtime::cancel_token> cancel;  // set when the job is stopped
  std::optional<audio::opus_encoder> encoder;
  static inline const char* name = "tts_job";
};

using job_actor = caf::stateful_actor<job_state>;

// Opus takes 8, 12, 16, 24 and 48 kHz as they are; the packets decode at the
// wire's 48 kHz either way. Any other engine rate is brought to 16 kHz.
bool opus_rate(int rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

int encoder_rate(int engine_rate) {
  return opus_rate(engine_rate) ? engine_rate : 16000;
}

// Resampling to the encoder's rate, one stream per sentence.
std::function<std::vector<std::int16_t>(const std::int16_t*, std::size_t)> to_encoder(int rate) {
  if (opus_rate(rate))
    return [](const std::int16_t* s, std::size_t n) { return std::vector<std::int16_t>(s, s + n); };
  return [lin = std::make_shared<audio::linear_resampler>(rate, 16000)](
             const std::int16_t* s, std::size_t n) { return lin->process(s, n); };
}

// The first piece of a sentence is 60 ms, so its audio can start while the
// rest is made; later pieces are larger, to keep messages few.
constexpr std::size_t first_piece_frames = 3;
constexpr std::size_t piece_frames = 25;

// One sentence on its way to the session: samples at the encoder's rate
// become Opus frames, and frames go out in pieces.
class sentence_voice {
 public:
  sentence_voice(job_actor* self, const reply_sentence& r)
      : self_(self), piece_{self->state.id.turn, r.index, 0, {}, false, r.final, 0} {}

  void add(const std::vector<std::int16_t>& pcm) {
    pending_.insert(pending_.end(), pcm.begin(), pcm.end());
    const auto n = frame_samples();
    std::size_t at = 0;
    for (; pending_.size() - at >= n; at += n) encode(pending_.data() + at);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(at));
    const auto want = piece_.first_frame == 0 ? first_piece_frames : piece_frames;
    if (piece_.frames.size() >= want) send(false);
  }

  // The tail, padded with silence to a whole frame, and the last piece.
  void finish() {
    if (!pending_.empty()) {
      pending_.resize(frame_samples(), 0);
      encode(pending_.data());
    }
    send(true);
  }

 private:
  std::size_t frame_samples() const { return self_->state.encoder->frame_samples(); }

  void encode(const std::int16_t* frame) {
    auto enc = self_->state.encoder->encode(frame, frame_samples());
    if (enc.ok()) piece_.frames.push_back(std::move(enc.packet));
  }

  void send(bool done) {
    const auto now = std::chrono::steady_clock::now();
    const auto n = static_cast<std::uint32_t>(piece_.frames.size());
    self_->send(self_->state.session,
                sentence_audio{piece_.turn, piece_.index, piece_.first_frame,
                               std::exchange(piece_.frames, {}), done, piece_.final,
                               std::chrono::duration<double>(now - since_).count()});
    piece_.first_frame += n;
    since_ = now;
  }

  job_actor* self_;
  sentence_audio piece_;
  std::vector<std::int16_t> pending_;  // less than a frame after add()
  std::chrono::steady_clock::time_point since_ = std::chrono::steady_clock::now();
};

void speak(job_actor* self, reply_sentence& r) {
  auto& st = self->state;
  sentence_voice voice(self, r);
  if (!r.text.empty()) {
    auto resample = to_encoder(st.engine->sample_rate());
    // A stopped job (barge-in) stops synthesising at the next piece.
    const bool ok = st.engine->synthesize(r.text, [&](const std::int16_t* s, std::size_t n) {
      voice.add(resample(s, n));
      return !st.cancel->cancelled();
    });
    // Stopped (barge-in) or killed: the exit message that came with the
    // cancel ends the job with its own reason, so a kill is restarted (from
    // the first sentence not yet sent) and a stop is not.
    if (st.cancel->cancelled()) return;
    if (!ok) return runtime::fail_job(self, st.session, st.id, "synthesis failed", true);
  }
  voice.finish();
  if (r.final) self->quit();
}

// Encoding is most of a reply's CPU. At the engine's own rate (16 kHz for
// flite) with complexity 2 it costs ~40 % of 48 kHz at complexity 5
// (parley-codec-bench), and synthesised speech has nothing above 8 kHz to
// lose.
void start(job_actor* self, engines::engine_catalog& catalog, const runtime::child_context& ctx) {
  auto& st = self->state;
  st.engine = catalog.tts();
  if (!st.engine)
    return runtime::fail_job(self, st.session, st.id, "no speech synthesiser loaded", false);
  st.encoder.emplace(audio::encoder_config{24000, 2, encoder_rate(st.engine->sample_rate())});
  runtime::announce_ready(self, ctx.supervisor, ctx.id);
}

}  // namespace

runtime::child_spec tts_job_spec(turn_id turn, std::shared_ptr<engines::engine_catalog> catalog) {
  runtime::job_identity id{runtime::job_stage::tts, turn, ""};
  return runtime::job_spec<job_state>(
      id, [id, catalog](job_actor* self, const runtime::child_context& ctx) -> caf::behavior {
        auto& st = self->state;
        st.id = id;
        st.session = ctx.supervisor;
        st.cancel = ctx.cancel;
        return {
            [self, catalog, ctx](runtime::start_job_atom) { start(self, *catalog, ctx); },
            [self, catalog](reply_sentence& r) {
              engines::fault_injector::apply(catalog->faults().take("tts"));
              speak(self, r);
            },
        };
      });
}

}  // namespace parley::tts
