#pragma once
// The streaming HTTP client behind the remote speech engines (openai_tts,
// elevenlabs_tts): one POST per sentence whose answer is raw signed 16-bit
// little-endian mono PCM, handed to the sink as it arrives, so that the first
// Opus frame leaves while the provider is still speaking the rest.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/tts/synthesizer.hpp"
#include "runtime/http/provider_status.hpp"
#include "runtime/http/retry.hpp"

namespace parley::tts {

// How long one sentence may take, phase by phase. A provider that is slow to
// start or stalls is given up early, so that the embedded engine still
// speaks within the TTS watchdog (PARLEY_TTS_DEADLINE_MS).
struct remote_tts_limits {
  std::chrono::milliseconds connect{1000};
  // The request sent, to the first byte of the answer. Retries happen only
  // within it: past it, the embedded voice serves the listener better.
  std::chrono::milliseconds first_byte{2000};
  std::chrono::milliseconds stall{1500};   // no byte for this long mid-answer
  std::chrono::milliseconds total{10000};  // PARLEY_TTS_TIMEOUT_MS: the whole sentence
};

// One call, as a provider wants it.
struct remote_tts_request {
  std::string url;
  std::string json_body;
  std::vector<std::string> headers;  // the key travels here only
};

class remote_tts_client {
 public:
  // `provider` prefixes messages ("openai tts: ..."); `secret` is redacted
  // from each of them. Retries are counted into `status` (may be null).
  remote_tts_client(std::string provider, std::string secret, remote_tts_limits limits,
                    std::shared_ptr<http::provider_status> status = nullptr,
                    http::retry_settings retry = {});
  ~remote_tts_client();
  remote_tts_client(const remote_tts_client&) = delete;
  remote_tts_client& operator=(const remote_tts_client&) = delete;

  // Streams the answer into `sink` at the provider's rate. True when it all
  // arrived, false when the sink cancelled (also asked with n == 0 while no
  // audio arrives). Throws http::provider_error, retryable only when nothing
  // reached the sink yet; what the sink throws propagates. Thread-safe.
  bool stream(const remote_tts_request& request, const audio_sink& sink);

  const remote_tts_limits& limits() const { return limits_; }

  struct impl;

 private:
  // One POST; sets `cancelled` when the sink said so.
  bool attempt(const remote_tts_request& request, const audio_sink& sink,
               std::chrono::steady_clock::time_point total_deadline, bool& cancelled);

  std::string provider_, secret_;
  remote_tts_limits limits_;
  std::shared_ptr<http::provider_status> status_;
  http::retry_settings retry_;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::tts
