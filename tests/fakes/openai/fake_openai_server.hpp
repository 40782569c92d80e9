#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/fakes/openai/fake_speech.hpp"

namespace parley::fakes {

// How the fake answers POST /v1/chat/completions.
enum class fake_openai_mode {
  normal,           // stream the reply (or one JSON completion when stream is not true)
  fail,             // 500 with an OpenAI-style error body
  hang,             // never send a response (until release_hangs() or destruction)
  hang_mid_stream,  // send the headers and the first piece, then nothing more
  end_mid_stream,   // send the first piece, then end the body without finish_reason or [DONE]
};

// How the fake answers POST /v1/audio/transcriptions.
enum class fake_stt_mode {
  normal,        // {"text": <transcript>}
  fail,          // 500 with an OpenAI-style error body
  rate_limited,  // 429 with Retry-After: 7 and an OpenAI-style error body
  hang,          // never send a response (until release_hangs() or destruction)
};

// What the last transcription request carried (after authentication).
struct fake_transcription_request {
  std::string authorization;  // the Authorization header as presented
  std::string model, language, response_format;
  std::string filename, content_type;  // of the "file" part
  std::size_t wav_samples = 0;         // of 16-bit mono 16 kHz PCM in the file
};

// A small OpenAI-compatible chat-completions server for tests, on 127.0.0.1 and an ephemeral
// port. It follows the published API: Bearer authentication (401 with an error JSON otherwise),
// request validation (400), chat.completion.chunk server-sent events with a delay between
// chunks, a finish_reason "stop" chunk and "data: [DONE]". It also transcribes: POST
// /v1/audio/transcriptions takes a multipart form whose "file" must be a 16 kHz mono 16-bit
// WAV and whose "model" must be set (400 otherwise), and answers a configured transcript.
// Thread-safe.
class fake_openai_server {
 public:
  explicit fake_openai_server(std::string api_key = "sk-fake-0123456789abcdef");
  ~fake_openai_server();  // releases hanging requests, then stops
  fake_openai_server(const fake_openai_server&) = delete;
  fake_openai_server& operator=(const fake_openai_server&) = delete;

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>/v1"
  const std::string& api_key() const;

  // The reply is sent in pieces of piece_chars characters (UTF-8 aware; words get split).
  void set_reply(std::string text, std::size_t piece_chars = 4);
  void set_chunk_delay(std::chrono::milliseconds delay);
  void set_mode(fake_openai_mode mode);
  // When true, a 401 message quotes the presented key in full (a careless provider); by
  // default it is masked the way OpenAI masks it.
  void set_echo_key_in_errors(bool echo);
  void release_hangs();

  void set_transcript(std::string text);
  void set_transcription_mode(fake_stt_mode mode);
  std::size_t transcription_count() const;  // transcription requests seen, of any outcome
  fake_transcription_request last_transcription() const;

  std::string reply() const;
  std::vector<std::string> reply_pieces() const;  // what a stream sends, in order
  std::string last_request_body() const;
  std::size_t request_count() const;  // chat-completions requests seen, of any outcome
  // When a client last closed its connection in the middle of a stream (seen
  // at the next write: within a chunk delay or two); waits up to `wait` for one.
  std::optional<std::chrono::steady_clock::time_point> client_hung_up(
      std::chrono::milliseconds wait = std::chrono::milliseconds(0)) const;
  int last_remote_port() const;  // client port of the last request: same port, same connection

  // Speech: /v1/audio/speech (Bearer api_key()) and ElevenLabs'
  // /v1/text-to-speech/{voice}/stream (xi-api-key: api_key()).
  fake_speech& speech();
  std::string elevenlabs_base_url() const;  // "http://127.0.0.1:<port>"

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::fakes
