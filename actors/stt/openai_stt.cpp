#include "actors/stt/openai_stt.hpp"

#include <curl/curl.h>

#include <nlohmann/json.hpp>
#include "runtime/http/curl_handles.hpp"
#include "runtime/http/provider_error.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::stt {
namespace {

constexpr std::size_t max_body_bytes = 1 << 20;  // a transcript or an error, never more
// Ten minutes of 16 kHz audio (~19 MB, under OpenAI's 25 MB upload limit):
// past it the utterance is cut rather than the process's memory grown.
constexpr std::size_t max_samples = 16000 * 600;

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFFU);
}

// The response body, capped, filled by libcurl's write callback.
struct response {
  std::string body;
  bool too_large = false;
};

// extern "C" names ignore namespaces: unique across the program (the agent has on_curl_write).
extern "C" std::size_t on_stt_curl_write(char* data, std::size_t size, std::size_t count,
                                         void* user) {
  auto* r = static_cast<response*>(user);
  const std::size_t n = size * count;
  // No allocation past the cap, so nothing here can throw through libcurl.
  if (r->body.size() + n > max_body_bytes) {
    r->too_large = true;
    return 0;
  }
  try {
    r->body.append(data, n);
  } catch (...) {
    return 0;
  }
  return n;
}

// error.message of an OpenAI-style error body, or a plain "error"/"detail"
// string (faster-whisper servers answer FastAPI's {"detail": ...}).
std::string provider_message(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("error")) {
      const auto& e = j["error"];
      if (e.is_string()) return e.get<std::string>();
      if (e.is_object() && e.contains("message") && e["message"].is_string())
        return e["message"].get<std::string>();
    }
    if (j.contains("detail") && j["detail"].is_string()) return j["detail"].get<std::string>();
  }
  return body.substr(0, 200);  // e.g. a proxy's HTML page
}

}  // namespace

std::string wav_16k_mono(const int16_t* pcm, std::size_t samples) {
  constexpr std::uint32_t rate = 16000;
  const auto data_bytes = static_cast<std::uint32_t>(samples * 2);
  std::string wav;
  wav.reserve(44 + data_bytes);
  wav += "RIFF";
  put_le(wav, 36 + data_bytes, 4);
  wav += "WAVEfmt ";
  put_le(wav, 16, 4);        // fmt chunk size
  put_le(wav, 1, 2);         // PCM
  put_le(wav, 1, 2);         // mono
  put_le(wav, rate, 4);      // sample rate
  put_le(wav, rate * 2, 4);  // byte rate
  put_le(wav, 2, 2);         // block align
  put_le(wav, 16, 2);        // bits per sample
  wav += "data";
  put_le(wav, data_bytes, 4);
  for (std::size_t i = 0; i < samples; ++i) put_le(wav, static_cast<std::uint16_t>(pcm[i]), 2);
  return wav;
}

struct openai_stt_engine::client {
  openai_stt_config config;
  std::shared_ptr<http::provider_status> status;
  std::string url;
  http::handle_pool handles;

  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(openai_stt_config c, std::shared_ptr<http::provider_status> s)
      : config(std::move(c)), status(std::move(s)) {
    std::string base = config.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    url = base + "/audio/transcriptions";
  }

  std::string transcribe(const int16_t* pcm, std::size_t samples);
  std::string attempt(const std::string& wav, std::chrono::milliseconds time_left);
  std::string outcome(CURLcode code, const char* curl_error, long status,
                      const std::string& retry_after, const response& r) const;
  [[noreturn]] void fail(const std::string& error, bool may_retry,
                         std::optional<std::chrono::milliseconds> retry_after = {}) const {
    throw http::provider_error(http::redact("openai stt: " + error, config.api_key), may_retry,
                               retry_after);
  }
};

namespace {

// Worth the same call again: the connection failed or was cut before an
// answer, or the provider said it was busy or broken for now.
bool retryable(CURLcode code, long status) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
      return true;
    case CURLE_OK:
      return status == 429 || status == 408 || status / 100 == 5;
    default:
      return false;
  }
}

}  // namespace

std::string openai_stt_engine::client::transcribe(const int16_t* pcm, std::size_t samples) {
  const std::string wav = wav_16k_mono(pcm, samples);
  const auto deadline = std::chrono::steady_clock::now() + config.total_timeout;
  return http::with_retries<std::string>(
      [&](std::chrono::milliseconds left) { return attempt(wav, left); }, deadline, config.retry,
      status.get());
}

std::string openai_stt_engine::client::attempt(const std::string& wav,
                                               std::chrono::milliseconds time_left) {
  CURL* c = handles.acquire();
  curl_mime* form = curl_mime_init(c);
  const auto add_field = [form](const char* name, const std::string& value) {
    curl_mimepart* part = curl_mime_addpart(form);
    curl_mime_name(part, name);
    curl_mime_data(part, value.data(), value.size());
  };
  curl_mimepart* file = curl_mime_addpart(form);
  curl_mime_name(file, "file");
  curl_mime_data(file, wav.data(), wav.size());  // copied by libcurl
  curl_mime_filename(file, "utterance.wav");
  curl_mime_type(file, "audio/wav");
  add_field("model", config.model);
  if (!config.language.empty()) add_field("language", config.language);
  add_field("response_format", "json");

  curl_slist* headers = nullptr;
  // "Expect:": no 100-continue round trip before the upload.
  for (const char* h : {"Accept: application/json", "Expect:"})
    headers = curl_slist_append(headers, h);
  // Self-hosted servers (whisper.cpp, faster-whisper) often take no key: send none then.
  const std::string auth = "Authorization: Bearer " + config.api_key;
  if (!config.api_key.empty()) headers = curl_slist_append(headers, auth.c_str());

  response r;
  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_MIMEPOST, form);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_stt_curl_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // signals and worker threads do not mix
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(time_left.count()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "parley-stt");
  const CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  std::string retry_after;
  curl_header* h = nullptr;
  if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr)
    retry_after = h->value;
  curl_slist_free_all(headers);
  curl_mime_free(form);
  // An aborted transfer leaves a half-read response on its connection: do not reuse that handle.
  handles.release(c, code == CURLE_OK);
  const std::string error = outcome(code, curl_error, status, retry_after, r);
  if (!error.empty())
    fail(error, retryable(code, status) && !r.too_large, http::parse_retry_after(retry_after));
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("text") || !j["text"].is_string())
    fail("unexpected response from " + url + " (no \"text\"): " + r.body.substr(0, 200), false);
  std::string text = j["text"].get<std::string>();
  // Whisper pads its text (" Go forward ten meters."): the agent wants it bare.
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  return text;
}

// Empty when a 2xx reply arrived in full; otherwise what went wrong (not yet redacted).
std::string openai_stt_engine::client::outcome(CURLcode code, const char* curl_error, long status,
                                               const std::string& retry_after,
                                               const response& r) const {
  if (code == CURLE_OPERATION_TIMEDOUT)
    return "timed out (connect limit " + std::to_string(config.connect_timeout.count()) +
           " ms, total limit " + std::to_string(config.total_timeout.count()) +
           " ms, retries included): " + curl_error;
  if (r.too_large)
    return "response from " + url + " is larger than " + std::to_string(max_body_bytes) + " bytes";
  if (code != CURLE_OK)
    return "request to " + url + " failed: " +
           (curl_error[0] != '\0' ? std::string(curl_error) : curl_easy_strerror(code));
  if (status / 100 != 2) {
    std::string message = provider_message(r.body);
    return "HTTP " + std::to_string(status) + " from " + url +
           (message.empty() ? std::string() : ": " + message) +
           (retry_after.empty() ? std::string() : " (retry after " + retry_after + " s)");
  }
  return {};
}

namespace {

// Buffers the utterance; the upload happens in finish().
class openai_recognizer : public recognizer {
 public:
  explicit openai_recognizer(std::shared_ptr<openai_stt_engine::client> client)
      : client_(std::move(client)) {}
  void begin() override {
    pcm_.clear();
    open_ = true;
  }
  void feed(const int16_t* pcm16k, size_t samples) override {
    if (!open_) return;
    samples = std::min(samples, max_samples - std::min(max_samples, pcm_.size()));
    pcm_.insert(pcm_.end(), pcm16k, pcm16k + samples);
  }
  std::string partial() override { return {}; }
  std::string finish() override {
    if (!open_) return {};
    open_ = false;
    std::vector<int16_t> pcm;
    pcm.swap(pcm_);
    if (pcm.empty()) return {};  // nothing said: no call
    return client_->transcribe(pcm.data(), pcm.size());
  }
  // Discards the utterance without uploading it.
  void reset() override {
    open_ = false;
    pcm_.clear();
  }

 private:
  std::shared_ptr<openai_stt_engine::client> client_;
  std::vector<int16_t> pcm_;
  bool open_ = false;
};

}  // namespace

openai_stt_engine::openai_stt_engine(openai_stt_config config,
                                     std::shared_ptr<http::provider_status> status) {
  http::init_curl_once();
  client_ = std::make_shared<client>(std::move(config), std::move(status));
}

openai_stt_engine::~openai_stt_engine() = default;

std::unique_ptr<recognizer> openai_stt_engine::make_recognizer() {
  return std::make_unique<openai_recognizer>(client_);
}

std::string openai_stt_engine::transcribe(const int16_t* pcm, std::size_t samples) const {
  return client_->transcribe(pcm, samples);
}

}  // namespace parley::stt
