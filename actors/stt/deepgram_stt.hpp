#pragma once
// Speech-to-text over Deepgram's live streaming API (wss://…/v1/listen):
// the audio goes out while the user speaks, so at the end of the turn only
// a Finalize round trip remains, a few tens of ms instead of an upload and
// a whole decode.

#include "actors/stt/recognizer.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace parley::stt {

struct deepgram_stt_config {
  std::string base_url = "wss://api.deepgram.com/v1";  // wss://, ends in /v1
  // Sent only in the Authorization header ("Token …"); never in an error.
  std::string api_key;
  std::string model = "nova-3";
  std::string language;  // e.g. "en-US"; empty: the model's default
  // Deepgram's own end-of-speech detection (speech_final after this much
  // silence): a second opinion next to the VAD's.
  std::chrono::milliseconds endpointing{300};
  // From finish() to the final text (including a connection still opening).
  // Kept well under PARLEY_STT_DEADLINE_MS so the embedded fallback answers in time.
  std::chrono::milliseconds timeout{3000};
  std::string ca_file;  // PEM trusted for the provider; empty: the system's store
};

// {base_url}/listen?encoding=linear16&sample_rate=16000&… for `c`.
std::string deepgram_listen_url(const deepgram_stt_config& c);

// One WebSocket per utterance, opened by begin(). partial() is the
// provider's newest interim text; finish() throws http::provider_error
// ("deepgram stt: …", never holding the key) on a refused handshake, a
// connection closed mid-utterance or no final result within the timeout.
class deepgram_stt_engine final : public stt_engine {
 public:
  explicit deepgram_stt_engine(deepgram_stt_config config);

  std::string name() const override { return "deepgram"; }
  std::unique_ptr<recognizer> make_recognizer() override;

 private:
  std::shared_ptr<const deepgram_stt_config> config_;
};

}  // namespace parley::stt
