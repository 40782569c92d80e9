#pragma once
// Speech-to-text over HTTP: the OpenAI-compatible transcription API
// (POST {base_url}/audio/transcriptions, a multipart upload of the utterance
// as WAV). OpenAI, whisper.cpp's server and faster-whisper servers speak it.

#include "actors/stt/recognizer.hpp"
#include "runtime/http/provider_status.hpp"
#include "runtime/http/retry.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace parley::stt {

struct openai_stt_config {
  std::string base_url = "https://api.openai.com/v1";  // ends in /v1
  // Sent only in the Authorization header (none when empty); never in an error.
  std::string api_key;
  std::string model = "whisper-1";
  std::string language;  // ISO-639-1 hint ("en"); empty: the provider detects it
  std::chrono::milliseconds connect_timeout{1000};
  // The whole call. Kept well under the STT watchdog (PARLEY_STT_DEADLINE_MS)
  // so that a fallback to the embedded recognizer still answers in time.
  std::chrono::milliseconds total_timeout{3000};
  // A refused connection, a 5xx or a 429 is tried again while the deadline
  // allows: the same upload twice does no harm.
  http::retry_settings retry;
};

// A RIFF/WAVE file of 16-bit PCM, mono, 16 kHz holding `samples` samples.
std::string wav_16k_mono(const int16_t* pcm, std::size_t samples);

// Recognizers buffer the utterance and upload it on finish(); partial() is
// always "" (the API is not streaming). Calls from several threads are safe;
// idle connections are kept for the next utterance (no TLS handshake each).
class openai_stt_engine final : public stt_engine {
 public:
  // `status` (may be null) counts the retries.
  explicit openai_stt_engine(openai_stt_config config,
                             std::shared_ptr<http::provider_status> status = nullptr);
  ~openai_stt_engine() override;
  openai_stt_engine(const openai_stt_engine&) = delete;
  openai_stt_engine& operator=(const openai_stt_engine&) = delete;

  std::string name() const override { return "openai"; }
  std::unique_ptr<recognizer> make_recognizer() override;

  // Uploads one utterance and returns its text; blocks up to total_timeout,
  // retries included. Throws http::provider_error ("openai stt: ...") on a
  // timeout, a failed connection, an HTTP error (with the provider's message
  // and Retry-After) or a reply without `text`. Never the API key in it.
  std::string transcribe(const int16_t* pcm, std::size_t samples) const;

  struct client;

 private:
  std::shared_ptr<client> client_;  // shared with the recognizers, which may outlive us
};

}  // namespace parley::stt
