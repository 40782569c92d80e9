#pragma once
// An STT engine that does no work: measures the server's own overhead.

#include "actors/stt/recognizer.hpp"

namespace parley::stt {

class null_engine : public stt_engine {
 public:
  explicit null_engine(std::string transcript = "what time is it");
  std::string name() const override { return "null"; }
  std::unique_ptr<recognizer> make_recognizer() override;

 private:
  std::string transcript_;
};

}  // namespace parley::stt
