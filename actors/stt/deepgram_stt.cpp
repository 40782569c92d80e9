#include "actors/stt/deepgram_stt.hpp"

#include <nlohmann/json.hpp>
#include "runtime/http/curl_handles.hpp"
#include "runtime/http/provider_error.hpp"
#include "runtime/net/wss_client.hpp"

#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <utility>

namespace parley::stt {
namespace {

using clock_type = std::chrono::steady_clock;

// Audio held while the connection opens: a slow handshake delays the
// stream, it does not drop the utterance's first words. Past this (30 s of
// 16 kHz linear16) the utterance is cut rather than memory grown.
constexpr std::size_t max_pending_bytes = 30 * 16000 * 2;
constexpr double bytes_per_second = 16000 * 2;
// A speech_final result ending this close to the end of the audio sent
// leaves too little after it for a word: the text is complete without a
// Finalize round trip.
constexpr double covered_slack_seconds = 0.1;

std::string query_value(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : v) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4U];
      out += hex[c & 0xFU];
    }
  }
  return out;
}

// What the provider has said about one utterance (Results messages).
struct live_results {
  std::string finals;   // the is_final transcripts, joined
  std::string interim;  // the newest interim transcript after them
  bool from_finalize = false;
  double speech_final_end = -1;  // seconds into the stream; -1: none yet
  bool heard_end = false;        // the newest words were followed by speech_final

  // Runs on the I/O thread: a malformed message is dropped, never thrown
  // there (a final result that never comes shows as finish()'s timeout).
  void on_text(const std::string& text) noexcept {
    try {
      on_json(nlohmann::json::parse(text, nullptr, false));
    } catch (const std::exception&) {  // a field of the wrong type
    }
  }

  void on_json(const nlohmann::json& j) {
    if (!j.is_object() || j.value("type", "") != "Results") return;  // Metadata, SpeechStarted…
    std::string said;
    const auto alts = j.value("/channel/alternatives"_json_pointer, nlohmann::json::array());
    if (alts.is_array() && !alts.empty() && alts[0].is_object())
      said = alts[0].value("transcript", "");
    const bool is_final = j.value("is_final", false);
    const bool speech_final = j.value("speech_final", false);
    if (is_final) {
      if (!said.empty()) finals += (finals.empty() ? "" : " ") + said;
      interim.clear();
    } else {
      interim = said;
    }
    if (speech_final) {
      speech_final_end = j.value("start", 0.0) + j.value("duration", 0.0);
      heard_end = true;
    } else if (!said.empty()) {
      heard_end = false;
    }
    from_finalize = from_finalize || j.value("from_finalize", false);
  }
};

// One utterance's stream; the wss handlers fill it on the I/O thread.
struct live_stream {
  std::mutex mutex;
  std::condition_variable changed;
  net::wss_client* ws = nullptr;  // set once the client exists (its events may come first)
  bool open = false;
  bool closed = false;
  std::string close_reason;
  std::string pending;  // audio not sent yet: the connection is still opening
  std::size_t sent_bytes = 0;
  bool fed = false;  // audio arrived, even if a closed stream could not take it
  live_results results;

  // Called with the mutex held. websocketpp's send only queues the write,
  // so holding the mutex here never waits for the I/O thread.
  void flush() {
    if (!open || closed || ws == nullptr || pending.empty()) return;
    sent_bytes += pending.size();
    ws->send_binary(pending);
    pending.clear();
  }
};

class deepgram_recognizer : public recognizer {
 public:
  explicit deepgram_recognizer(std::shared_ptr<const deepgram_stt_config> config)
      : config_(std::move(config)), url_(deepgram_listen_url(*config_)) {}

  void begin() override {
    reset();
    stream_ = std::make_shared<live_stream>();
    net::wss_options o{url_, config_->ca_file};
    o.headers = {{"Authorization", "Token " + config_->api_key}};
    ws_ = std::make_unique<net::wss_client>(std::move(o), handlers(stream_));
    std::lock_guard<std::mutex> lock(stream_->mutex);
    stream_->ws = ws_.get();
    stream_->flush();
  }

  void feed(const int16_t* pcm16k, size_t samples) override {
    if (!stream_) return;
    std::lock_guard<std::mutex> lock(stream_->mutex);
    auto& pending = stream_->pending;
    stream_->fed = stream_->fed || samples > 0;
    if (stream_->closed || pending.size() + samples * 2 > max_pending_bytes) return;
    for (size_t i = 0; i < samples; ++i) {  // linear16 is little-endian
      const auto s = static_cast<std::uint16_t>(pcm16k[i]);
      pending += static_cast<char>(s & 0xFFU);
      pending += static_cast<char>(s >> 8U);
    }
    stream_->flush();
  }

  std::string partial() override {
    if (!stream_) return {};
    std::lock_guard<std::mutex> lock(stream_->mutex);
    const auto& r = stream_->results;
    if (r.interim.empty()) return r.finals;
    return r.finals.empty() ? r.interim : r.finals + " " + r.interim;
  }

  bool heard_end_of_speech() override {
    if (!stream_) return false;
    std::lock_guard<std::mutex> lock(stream_->mutex);
    return stream_->results.heard_end;
  }

  std::string finish() override {
    if (!stream_) return {};
    const auto stream = std::exchange(stream_, nullptr);
    std::unique_lock<std::mutex> lock(stream->mutex);
    if (!stream->fed) return end(*stream, {});  // nothing said: no verdict on the provider
    const auto deadline = clock_type::now() + config_->timeout;
    stream->changed.wait_until(lock, deadline, [&] { return stream->open || stream->closed; });
    if (!stream->open && !stream->closed) fail(*stream, "no connection");
    stream->flush();
    if (!stream->closed) ws_->send_text(R"({"type":"Finalize"})");
    stream->changed.wait_until(lock, deadline, [&] { return complete(*stream) || stream->closed; });
    if (!complete(*stream)) fail(*stream, "no final result");
    return end(*stream, stream->results.finals);
  }

  // Ends the utterance at once: no final result waited for.
  void reset() override {
    if (const auto stream = std::exchange(stream_, nullptr)) {
      std::lock_guard<std::mutex> lock(stream->mutex);
      (void)end(*stream, {});
    }
  }

 private:
  static net::wss_handlers handlers(const std::shared_ptr<live_stream>& s) {
    net::wss_handlers h;
    h.on_open = [s] {
      std::lock_guard<std::mutex> lock(s->mutex);
      s->open = true;
      s->flush();
      s->changed.notify_all();
    };
    h.on_text = [s](const std::string& text) {
      std::lock_guard<std::mutex> lock(s->mutex);
      s->results.on_text(text);
      s->changed.notify_all();
    };
    h.on_close = [s](int code, const std::string& why) {
      std::lock_guard<std::mutex> lock(s->mutex);
      s->closed = true;
      s->close_reason = std::to_string(code) + (why.empty() ? "" : " " + why);
      s->changed.notify_all();
    };
    return h;
  }

  // The text is complete: flushed by Finalize, or Deepgram's own end of
  // speech covers the audio sent.
  static bool complete(const live_stream& s) {
    const double sent_seconds = static_cast<double>(s.sent_bytes) / bytes_per_second;
    return s.results.from_finalize ||
           (s.results.heard_end &&
            s.results.speech_final_end >= sent_seconds - covered_slack_seconds);
  }

  // Called with the stream's mutex held. The socket stays with the
  // recognizer until the next begin(): the provider closes it after
  // CloseStream, so that destructor does not wait.
  std::string end(live_stream& s, std::string text) {
    if (s.open && !s.closed)
      ws_->send_text(R"({"type":"CloseStream"})");
    else if (!s.closed)
      ws_->close(1000, "utterance over");  // still connecting: nothing to flush
    return text;
  }

  [[noreturn]] void fail(live_stream& s, const std::string& what) {
    std::string message = "deepgram stt: ";
    bool retryable = true;
    if (s.closed && !s.open) {
      message += "connection to " + config_->base_url + " refused: " + s.close_reason;
      retryable = s.close_reason.find("HTTP 4") == std::string::npos ||
                  s.close_reason.find("HTTP 429") != std::string::npos;
    } else if (s.closed) {
      message += "connection closed mid-utterance: " + s.close_reason;
      retryable = false;
    } else {
      message += what + " within " + std::to_string(config_->timeout.count()) + " ms";
    }
    (void)end(s, {});
    throw http::provider_error(http::redact(message, config_->api_key), retryable);
  }

  std::shared_ptr<const deepgram_stt_config> config_;
  std::string url_;
  std::shared_ptr<live_stream> stream_;  // the open utterance; null when idle
  std::unique_ptr<net::wss_client> ws_;  // after stream_: closed and joined first
};

}  // namespace

std::string deepgram_listen_url(const deepgram_stt_config& c) {
  std::string base = c.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + "/listen?encoding=linear16&sample_rate=16000&channels=1" +
                    "&interim_results=true&smart_format=true" +
                    "&endpointing=" + std::to_string(c.endpointing.count()) +
                    "&model=" + query_value(c.model);
  if (!c.language.empty()) url += "&language=" + query_value(c.language);
  return url;
}

deepgram_stt_engine::deepgram_stt_engine(deepgram_stt_config config)
    : config_(std::make_shared<const deepgram_stt_config>(std::move(config))) {}

std::unique_ptr<recognizer> deepgram_stt_engine::make_recognizer() {
  return std::make_unique<deepgram_recognizer>(config_);
}

}  // namespace parley::stt
