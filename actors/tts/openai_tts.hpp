#pragma once
// Speech from OpenAI's audio API (POST {base_url}/audio/speech with
// response_format "pcm": 24 kHz signed 16-bit little-endian mono, streamed).

#include <memory>
#include <string>

#include "actors/tts/remote_tts.hpp"
#include "actors/tts/synthesizer.hpp"

namespace parley::tts {

struct openai_tts_config {
  std::string base_url = "https://api.openai.com/v1";  // ends in /v1
  std::string api_key;  // only in the Authorization header (none when empty)
  std::string model = "gpt-4o-mini-tts";
  std::string voice = "alloy";
  remote_tts_limits limits;
};

// Thread-safe; idle connections are kept for the next sentence.
class openai_tts_engine final : public tts_engine {
 public:
  // Retries are counted into `status` (may be null).
  explicit openai_tts_engine(openai_tts_config config,
                             std::shared_ptr<http::provider_status> status = nullptr);

  std::string name() const override { return "openai"; }
  int sample_rate() const override { return 24000; }
  // Throws http::provider_error as remote_tts_client::stream does.
  bool synthesize(const std::string& sentence,
                  const std::function<bool(const int16_t*, size_t)>& sink) override;

 private:
  openai_tts_config config_;
  std::string url_;
  remote_tts_client client_;
};

}  // namespace parley::tts
