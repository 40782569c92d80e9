#pragma once
// The speech routes of the fake providers: OpenAI's POST /v1/audio/speech
// (response_format "pcm") and ElevenLabs' POST /v1/text-to-speech/{voice}/stream
// (output_format=pcm_24000). Both answer raw 24 kHz signed 16-bit
// little-endian mono PCM in HTTP chunks with a delay before each, as the real
// services stream it, and validate what they are sent the way the real ones do.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class CivetHandler;

namespace parley::fakes {

enum class fake_tts_mode {
  normal,        // the whole waveform, chunk by chunk
  fail,          // 500 with the provider's error body
  rate_limited,  // 429 with Retry-After: 7 and the provider's error body
  hang,          // no answer at all (until release_hangs() or destruction)
  stall,         // the headers and the first chunk, then nothing until release_hangs()
  truncated,     // the first chunk, then the connection closes mid-body
};

// What the last speech request carried (after authentication).
struct fake_speech_request {
  std::string provider;    // "openai" | "elevenlabs"
  std::string credential;  // the Authorization or xi-api-key header as presented
  std::string text, model, voice, format;
};

// The waveform the fake speaks for `text`: 24 kHz tones that change every
// 50 ms, 200 ms plus 10 ms per byte of text long.
std::vector<int16_t> fake_speech_pcm(const std::string& text);

class fake_speech {
 public:
  // `openai_key` is checked as a Bearer token, `elevenlabs_key` as xi-api-key.
  fake_speech(std::string openai_key, std::string elevenlabs_key);
  ~fake_speech();
  fake_speech(const fake_speech&) = delete;
  fake_speech& operator=(const fake_speech&) = delete;

  CivetHandler* openai_handler();      // for /v1/audio/speech
  CivetHandler* elevenlabs_handler();  // for /v1/text-to-speech
  void stop();                         // ends hangs and delays: the server is stopping

  void set_mode(fake_tts_mode mode);
  void set_chunk_delay(std::chrono::milliseconds delay);
  // Odd by default, so that samples straddle chunks as they do on the wire.
  void set_chunk_bytes(std::size_t bytes);
  void release_hangs();
  // A careless provider: a 401 quotes the presented key in full.
  void set_echo_key_in_errors(bool echo);

  std::size_t request_count() const;  // speech requests seen, of any outcome
  fake_speech_request last_request() const;
  // When the fake began writing the last chunk of an answer (none yet: nullopt).
  std::optional<std::chrono::steady_clock::time_point> last_chunk_started() const;
  // When a client was found gone mid-answer (at the next write); waits up to `wait`.
  std::optional<std::chrono::steady_clock::time_point> client_hung_up(
      std::chrono::milliseconds wait = std::chrono::milliseconds(0)) const;
  int last_remote_port() const;  // same port, same connection

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::fakes
