#include "actors/tts/flite_engine.hpp"

#include <flite.h>

#include <exception>
#include <mutex>
#include <stdexcept>

extern "C" cst_voice* register_cmu_us_slt(const char* voxdir);

namespace parley::tts {

namespace {

// flite_init and voice registration are not thread-safe: done once per process. The voice
// is never freed; synthesis only reads it.
struct flite_voice {
  cst_voice* voice = nullptr;
  int sample_rate = 0;
};

flite_voice load_voice() {
  flite_voice out;
  flite_init();
  out.voice = register_cmu_us_slt(nullptr);
  if (out.voice == nullptr) return out;
  // A first synthesis also runs any lazy set-up single-threaded, and tells the rate.
  cst_wave* probe = flite_text_to_wave("hello", out.voice);
  if (probe != nullptr) {
    out.sample_rate = probe->sample_rate;
    delete_wave(probe);
  }
  return out;
}

const flite_voice& shared_voice() {
  static const flite_voice voice = load_voice();  // thread-safe static init
  return voice;
}

// Per-call state that flite hands back to the streaming callback.
struct stream_context {
  const std::function<bool(const int16_t*, size_t)>* sink;
  bool cancelled = false;
  std::exception_ptr error;
};

// Runs inside flite (C): must not throw.
int on_chunk(const cst_wave* wave, int start, int size, int /*last*/,
             cst_audio_streaming_info* asi) {
  auto* ctx = static_cast<stream_context*>(asi->userdata);
  if (ctx->cancelled) return CST_AUDIO_STREAM_STOP;
  if (size <= 0) return CST_AUDIO_STREAM_CONT;
  try {
    if ((*ctx->sink)(wave->samples + start, static_cast<size_t>(size))) {
      return CST_AUDIO_STREAM_CONT;
    }
  } catch (...) {
    ctx->error = std::current_exception();
  }
  ctx->cancelled = true;
  return CST_AUDIO_STREAM_STOP;
}

struct utterance_deleter {
  void operator()(cst_utterance* u) const { delete_utterance(u); }
};

}  // namespace

struct flite_engine::impl {
  const flite_voice* voice;
  flite_config config;
};

flite_engine::flite_engine(flite_config config)
    : impl_(std::make_unique<impl>(impl{&shared_voice(), config})) {
  if (impl_->voice->voice == nullptr || impl_->voice->sample_rate <= 0) {
    throw std::runtime_error("flite: voice cmu_us_slt does not work");
  }
}

flite_engine::~flite_engine() = default;

int flite_engine::sample_rate() const {
  return impl_->voice->sample_rate;
}

bool flite_engine::synthesize(const std::string& sentence,
                              const std::function<bool(const int16_t*, size_t)>& sink) {
  stream_context ctx{&sink, false, nullptr};
  std::unique_ptr<cst_utterance, utterance_deleter> utt(new_utterance());
  utt_set_input_text(utt.get(), sentence.c_str());
  utt_init(utt.get(), impl_->voice->voice);
  // On the utterance, not the shared voice, so each call streams to its own sink.
  cst_audio_streaming_info* asi = new_audio_streaming_info();
  asi->min_buffsize = impl_->config.min_chunk_samples;
  asi->asc = on_chunk;
  asi->userdata = &ctx;
  utt_set_feat(utt.get(), "streaming_info", audio_streaming_info_val(asi));  // utt owns it
  const bool synthesized = utt_synth(utt.get()) != nullptr;
  if (ctx.error) std::rethrow_exception(ctx.error);
  return synthesized && !ctx.cancelled;
}

}  // namespace parley::tts
