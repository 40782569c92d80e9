#pragma once
// Offline STT with CMU pocketsphinx (Debian's 0.8+5prealpha) and its en-us language model.

#include "actors/stt/recognizer.hpp"

namespace parley::stt {

struct pocketsphinx_config {
  // Holds en-us/ (acoustic model), en-us.lm.bin and cmudict-en-us.dict.
  std::string model_dir = "/usr/share/pocketsphinx/model/en-us";
  // Skips the second and third decoding passes (-fwdflat no -bestpath no): finish() takes
  // a few ms instead of 60-350 ms, at a higher word error rate (7.8 -> 15 % on flite speech).
  bool fast_finish = true;
  // HMMs kept active per frame (-maxhmmpf; pocketsphinx's default is 30000).
  // Measured on Debian's LibriVox, "cards" and goforward recordings (96
  // words): 2000 costs one word (22.9 -> 24.0 % WER) and halves recognition
  // CPU (real-time factor ~0.30 -> ~0.15-0.2, finish 38 -> 10 ms), which is
  // what lets several people speak at once on two cores; the 12 flite
  // commands of the round-trip test stay at 9 exact. 1500 is past the edge
  // (30 % WER); -topn 2 saved little more and cost two of the commands.
  int max_hmms_per_frame = 2000;
};

// Each recognizer owns a decoder of ~93 MB that takes ~0.3 s to create: pool them.
class pocketsphinx_engine : public stt_engine {
 public:
  // Throws std::runtime_error if a model file is missing.
  explicit pocketsphinx_engine(pocketsphinx_config config = {});
  std::string name() const override { return "pocketsphinx"; }
  // Throws std::runtime_error if the decoder cannot be created.
  std::unique_ptr<recognizer> make_recognizer() override;

 private:
  pocketsphinx_config config_;
};

}  // namespace parley::stt
