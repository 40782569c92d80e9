#pragma once
// Speech from ElevenLabs (POST {base_url}/v1/text-to-speech/{voice}/stream
// ?output_format=pcm_24000: 24 kHz signed 16-bit little-endian mono, streamed).

#include <memory>
#include <string>

#include "actors/tts/remote_tts.hpp"
#include "actors/tts/synthesizer.hpp"

namespace parley::tts {

struct elevenlabs_tts_config {
  std::string base_url = "https://api.elevenlabs.io";  // without /v1
  std::string api_key;                                 // only in the xi-api-key header
  std::string model = "eleven_flash_v2_5";
  // A voice id; the default is "Rachel", one of the premade voices every account has.
  std::string voice = "21m00Tcm4TlvDq8ikWAM";
  remote_tts_limits limits;
};

// Thread-safe; idle connections are kept for the next sentence.
class elevenlabs_tts_engine final : public tts_engine {
 public:
  // Retries are counted into `status` (may be null).
  explicit elevenlabs_tts_engine(elevenlabs_tts_config config,
                                 std::shared_ptr<http::provider_status> status = nullptr);

  std::string name() const override { return "elevenlabs"; }
  int sample_rate() const override { return 24000; }
  // Throws http::provider_error as remote_tts_client::stream does.
  bool synthesize(const std::string& sentence,
                  const std::function<bool(const int16_t*, size_t)>& sink) override;

 private:
  elevenlabs_tts_config config_;
  std::string url_;
  remote_tts_client client_;
};

}  // namespace parley::tts
