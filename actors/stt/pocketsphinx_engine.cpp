#include "actors/stt/pocketsphinx_engine.hpp"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <fstream>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace parley::stt {

namespace {

// Logging is process-wide and racy with concurrent decoders: switch it off once, before
// the first decoder exists.
void silence_logging() {
  static std::once_flag once;
  std::call_once(once, [] { err_set_logfp(nullptr); });
}

void require_file(const std::string& path) {
  if (!std::ifstream(path)) throw std::runtime_error("pocketsphinx: missing model file " + path);
}

struct config_deleter {
  void operator()(cmd_ln_t* c) const { cmd_ln_free_r(c); }
};
struct decoder_deleter {
  void operator()(ps_decoder_t* d) const { ps_free(d); }
};
using config_ptr = std::unique_ptr<cmd_ln_t, config_deleter>;
using decoder_ptr = std::unique_ptr<ps_decoder_t, decoder_deleter>;

decoder_ptr make_decoder(const pocketsphinx_config& cfg) {
  const std::string hmm = cfg.model_dir + "/en-us";
  const std::string lm = cfg.model_dir + "/en-us.lm.bin";
  const std::string dict = cfg.model_dir + "/cmudict-en-us.dict";
  const char* later_passes = cfg.fast_finish ? "no" : "yes";
  const std::string maxhmmpf = std::to_string(cfg.max_hmms_per_frame);
  // All options in one call: re-parsing an existing config fails and frees it.
  config_ptr config(cmd_ln_init(nullptr, ps_args(), 1, "-hmm", hmm.c_str(), "-lm", lm.c_str(),
                                "-dict", dict.c_str(), "-fwdflat", later_passes, "-bestpath",
                                later_passes, "-maxhmmpf", maxhmmpf.c_str(), nullptr));
  if (!config) throw std::runtime_error("pocketsphinx: invalid configuration");
  decoder_ptr decoder(ps_init(config.get()));  // the decoder keeps its own reference
  if (!decoder) throw std::runtime_error("pocketsphinx: decoder init failed for " + cfg.model_dir);
  return decoder;
}

std::string hypothesis(ps_decoder_t* decoder) {
  const char* hyp = ps_get_hyp(decoder, nullptr);
  return hyp != nullptr ? std::string(hyp) : std::string();
}

class pocketsphinx_recognizer : public recognizer {
 public:
  explicit pocketsphinx_recognizer(decoder_ptr decoder) : decoder_(std::move(decoder)) {}

  void begin() override {
    reset();
    if (ps_start_utt(decoder_.get()) < 0) throw std::runtime_error("pocketsphinx: start failed");
    open_ = true;
  }

  void feed(const int16_t* pcm16k, size_t samples) override {
    if (!open_ || samples == 0) return;
    ps_process_raw(decoder_.get(), pcm16k, samples, 0, 0);
  }

  std::string partial() override { return open_ ? hypothesis(decoder_.get()) : std::string(); }

  std::string finish() override {
    if (!open_) return {};
    close();
    return hypothesis(decoder_.get());
  }

  void reset() override {
    if (open_) close();
  }

 private:
  void close() {
    open_ = false;
    ps_end_utt(decoder_.get());
  }

  decoder_ptr decoder_;
  bool open_ = false;
};

}  // namespace

pocketsphinx_engine::pocketsphinx_engine(pocketsphinx_config config) : config_(std::move(config)) {
  require_file(config_.model_dir + "/en-us/mdef");
  require_file(config_.model_dir + "/en-us.lm.bin");
  require_file(config_.model_dir + "/cmudict-en-us.dict");
  silence_logging();
}

std::unique_ptr<recognizer> pocketsphinx_engine::make_recognizer() {
  return std::make_unique<pocketsphinx_recognizer>(make_decoder(config_));
}

}  // namespace parley::stt
