#include "actors/tts/espeak_engine.hpp"

#include <espeak-ng/speak_lib.h>

#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace parley::tts {

namespace {

// Guards every espeak-ng call and the state below: the library is one global instance.
std::mutex espeak_mutex;
int initialised_rate = 0;   // 0 until espeak_Initialize succeeded
std::string current_voice;  // skips reloading the voice when it did not change
int current_rate_wpm = -1;

// The callback of the synthesis in progress; only set while espeak_mutex is held.
struct synth_context {
  const std::function<bool(const int16_t*, size_t)>* sink;
  bool cancelled = false;
  std::exception_ptr error;
};
synth_context* active = nullptr;

// Runs inside espeak-ng (C): must not throw. Returning 1 aborts the synthesis.
int on_samples(short* wav, int count, espeak_EVENT* /*events*/) {
  if (active == nullptr || active->cancelled) return 1;
  if (wav == nullptr || count <= 0) return 0;
  try {
    if ((*active->sink)(wav, static_cast<size_t>(count))) return 0;
  } catch (...) {
    active->error = std::current_exception();
  }
  active->cancelled = true;
  return 1;
}

int initialise_locked(const std::string& data_path) {
  if (initialised_rate > 0) return initialised_rate;
  constexpr int buffer_ms = 60;  // size of the chunks handed to the callback
  const int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, buffer_ms,
                                     data_path.empty() ? nullptr : data_path.c_str(),
                                     espeakINITIALIZE_DONT_EXIT);
  if (rate <= 0) throw std::runtime_error("espeak-ng: initialisation failed");
  espeak_SetSynthCallback(on_samples);
  initialised_rate = rate;
  return rate;
}

void select_voice_locked(const espeak_config& config) {
  if (config.voice != current_voice) {
    if (espeak_SetVoiceByName(config.voice.c_str()) != EE_OK) {
      current_voice.clear();
      throw std::runtime_error("espeak-ng: unknown voice " + config.voice);
    }
    current_voice = config.voice;
    current_rate_wpm = -1;  // a new voice resets the parameters
  }
  if (config.rate_wpm != current_rate_wpm) {
    espeak_SetParameter(espeakRATE, config.rate_wpm, 0);
    current_rate_wpm = config.rate_wpm;
  }
}

}  // namespace

espeak_engine::espeak_engine(espeak_config config) : config_(std::move(config)) {
  std::lock_guard<std::mutex> lock(espeak_mutex);
  sample_rate_ = initialise_locked(config_.data_path);
  select_voice_locked(config_);
}

bool espeak_engine::synthesize(const std::string& sentence,
                               const std::function<bool(const int16_t*, size_t)>& sink) {
  std::lock_guard<std::mutex> lock(espeak_mutex);
  select_voice_locked(config_);
  synth_context ctx{&sink, false, nullptr};
  active = &ctx;
  const espeak_ERROR rc = espeak_Synth(sentence.c_str(), sentence.size() + 1, 0, POS_CHARACTER, 0,
                                       espeakCHARS_UTF8 | espeakENDPAUSE, nullptr, nullptr);
  active = nullptr;
  if (ctx.error) std::rethrow_exception(ctx.error);
  return rc == EE_OK && !ctx.cancelled;
}

}  // namespace parley::tts
