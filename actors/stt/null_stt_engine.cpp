#include "actors/stt/null_stt_engine.hpp"

#include <utility>

namespace parley::stt {

namespace {

// Returns the fixed transcript for every utterance, whatever was fed.
class null_recognizer : public recognizer {
 public:
  explicit null_recognizer(std::string transcript) : transcript_(std::move(transcript)) {}
  void begin() override { open_ = true; }
  void feed(const int16_t* /*pcm16k*/, size_t /*samples*/) override {}
  std::string partial() override { return {}; }
  std::string finish() override {
    if (!open_) return {};
    open_ = false;
    return transcript_;
  }

 private:
  std::string transcript_;
  bool open_ = false;
};

}  // namespace

null_engine::null_engine(std::string transcript) : transcript_(std::move(transcript)) {}

std::unique_ptr<recognizer> null_engine::make_recognizer() {
  return std::make_unique<null_recognizer>(transcript_);
}

}  // namespace parley::stt
