#include "tests/fakes/openai/fake_openai_server.hpp"

#include <CivetServer.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

namespace parley::fakes {
namespace {

using json = nlohmann::json;

json error_body(const std::string& message, const char* type, const json& code) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

void send_json(mg_connection* conn, int status, const json& body) {
  const std::string text = body.dump();
  const std::string length = std::to_string(text.size());
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", "application/json", -1);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  mg_write(conn, text.data(), text.size());
}

std::string read_body(mg_connection* conn) {
  std::string body;
  char buf[4096];
  for (int n = 0; (n = mg_read(conn, buf, sizeof buf)) > 0;) body.append(buf, n);
  return body;
}

// OpenAI shows the first three and the last four characters of a wrong key.
std::string masked(const std::string& key) {
  if (key.size() <= 8) return "***";
  return key.substr(0, 3) + std::string(key.size() - 7, '*') + key.substr(key.size() - 4);
}

std::vector<std::string> split_utf8(const std::string& text, std::size_t piece_chars) {
  std::vector<std::string> pieces;
  std::string piece;
  std::size_t chars = 0;
  for (char c : text) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && chars == piece_chars) {
      pieces.push_back(std::move(piece));
      piece.clear();
      chars = 0;
    }
    piece += c;
    if (starts_char) ++chars;
  }
  if (!piece.empty()) pieces.push_back(std::move(piece));
  return pieces;
}

// Opens and at once closes a TCP connection to 127.0.0.1:port.
void poke(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);  // failure is fine
  ::close(fd);
}

struct form_part {
  std::string name, filename, type, data;
};

// The value of `key="..."` (or key=value) in a header such as Content-Disposition.
std::string header_param(const std::string& header, const std::string& key) {
  const auto at = header.find(key + "=");
  if (at == std::string::npos) return {};
  auto start = at + key.size() + 1;
  if (start < header.size() && header[start] == '"') {
    const auto end = header.find('"', start + 1);
    return header.substr(start + 1, end == std::string::npos ? end : end - start - 1);
  }
  const auto end = header.find(';', start);
  return header.substr(start, end == std::string::npos ? end : end - start);
}

// A multipart/form-data body (RFC 7578), enough for what curl_mime sends; nullopt when broken.
std::optional<std::vector<form_part>> parse_form(const std::string& content_type,
                                                 const std::string& body) {
  const std::string boundary = header_param(content_type, "boundary");
  if (content_type.rfind("multipart/form-data", 0) != 0 || boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  std::vector<form_part> parts;
  auto at = body.find(delimiter);
  while (at != std::string::npos) {
    at += delimiter.size();
    if (body.compare(at, 2, "--") == 0) return parts;  // the closing delimiter
    if (body.compare(at, 2, "\r\n") != 0) return std::nullopt;
    const auto headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string::npos) return std::nullopt;
    form_part part;
    std::istringstream headers(body.substr(at + 2, headers_end - at - 2));
    for (std::string line; std::getline(headers, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::string lower = line.substr(0, line.find(':'));
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "content-disposition") {
        part.name = header_param(line, "name");
        part.filename = header_param(line, "filename");
      } else if (lower == "content-type") {
        part.type = line.substr(line.find(':') + 1);
        part.type.erase(0, part.type.find_first_not_of(' '));
      }
    }
    const auto end = body.find("\r\n" + delimiter, headers_end + 4);
    if (end == std::string::npos) return std::nullopt;
    part.data = body.substr(headers_end + 4, end - headers_end - 4);
    parts.push_back(std::move(part));
    at = end + 2;
  }
  return std::nullopt;
}

std::uint32_t le(const std::string& s, std::size_t at, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// A RIFF/WAVE file of 16-bit PCM, mono, 16 kHz with a 44-byte header, as Parley sends.
bool is_wav_16k_mono(const std::string& f) {
  return f.size() >= 44 && f.compare(0, 4, "RIFF") == 0 && f.compare(8, 8, "WAVEfmt ") == 0 &&
         le(f, 20, 2) == 1 && le(f, 22, 2) == 1 && le(f, 24, 4) == 16000 && le(f, 34, 2) == 16 &&
         f.compare(36, 4, "data") == 0 && le(f, 40, 4) == f.size() - 44;
}

}  // namespace

struct fake_openai_server::impl : CivetHandler {
  std::string key;
  mutable std::mutex mutex;
  std::condition_variable wake;  // hangs and delays end early on release or stop
  bool stopping = false;
  std::size_t hang_generation = 0;
  std::string reply = "Hello from the fake provider. Streaming works.";
  std::size_t piece_chars = 4;
  std::chrono::milliseconds delay{5};
  fake_openai_mode mode = fake_openai_mode::normal;
  bool echo_key = false;
  std::string last_body;
  std::size_t requests = 0;
  int last_port = 0;
  std::optional<std::chrono::steady_clock::time_point> hung_up;  // a client left mid-stream
  std::string transcript = "go forward ten meters";
  fake_stt_mode stt_mode = fake_stt_mode::normal;
  std::size_t transcriptions = 0;
  fake_transcription_request last_transcription;

  // POST /v1/audio/transcriptions, on its own handler object.
  struct transcription_handler : CivetHandler {
    impl* owner = nullptr;
    bool handlePost(CivetServer*, mg_connection* conn) override { return owner->transcribe(conn); }
  } transcriptions_handler;

  std::unique_ptr<fake_speech> speech;  // its routes, apart: fake_speech.cpp

  std::unique_ptr<CivetServer> server;  // last member: stopped before the rest is destroyed

  bool handlePost(CivetServer*, mg_connection* conn) override;
  bool handleGet(CivetServer*, mg_connection* conn) override;

  bool authorized(mg_connection* conn);
  bool transcribe(mg_connection* conn);
  void stream(mg_connection* conn, const std::string& model, fake_openai_mode mode);
  bool pause(std::chrono::milliseconds d);  // false when the server is stopping
  void hang();
  json chunk(const std::string& model, const json& delta, const json& finish) const;
};

bool fake_openai_server::impl::authorized(mg_connection* conn) {
  const char* header = mg_get_header(conn, "Authorization");
  const std::string presented = header != nullptr ? header : "";
  if (presented == "Bearer " + key) return true;
  std::string message;
  json code = nullptr;
  if (presented.rfind("Bearer ", 0) != 0) {
    message =
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  } else {
    const std::string wrong = presented.substr(7);
    std::lock_guard<std::mutex> lock(mutex);
    message = "Incorrect API key provided: " + (echo_key ? wrong : masked(wrong)) +
              ". You can find your API key at https://platform.openai.com/account/api-keys.";
    code = "invalid_api_key";
  }
  send_json(conn, 401, error_body(message, "invalid_request_error", code));
  return false;
}

bool fake_openai_server::impl::handleGet(CivetServer*, mg_connection* conn) {
  send_json(conn, 405,
            error_body("Use POST for chat completions.", "invalid_request_error", nullptr));
  return true;
}

bool fake_openai_server::impl::handlePost(CivetServer*, mg_connection* conn) {
  const std::string body = read_body(conn);
  fake_openai_mode current;
  {
    std::lock_guard<std::mutex> lock(mutex);
    last_body = body;
    ++requests;
    last_port = mg_get_request_info(conn)->remote_port;
    current = mode;
  }
  if (!authorized(conn)) return true;
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    send_json(conn, 400,
              error_body("We could not parse the JSON body of your request.",
                         "invalid_request_error", nullptr));
    return true;
  }
  if (!request.contains("model") || !request["model"].is_string()) {
    send_json(conn, 400,
              error_body("you must provide a model parameter", "invalid_request_error", nullptr));
    return true;
  }
  if (!request.contains("messages") || !request["messages"].is_array() ||
      request["messages"].empty()) {
    send_json(conn, 400,
              error_body("'messages' must be a non-empty array", "invalid_request_error",
                         "invalid_value"));
    return true;
  }
  const std::string model = request["model"];
  switch (current) {
    case fake_openai_mode::fail:
      send_json(
          conn, 500,
          error_body("The server had an error while processing your request. Sorry about that!",
                     "server_error", nullptr));
      return true;
    case fake_openai_mode::hang:
      hang();
      return true;
    case fake_openai_mode::normal:
    case fake_openai_mode::hang_mid_stream:
    case fake_openai_mode::end_mid_stream:
      break;
  }
  if (request.value("stream", false)) {
    stream(conn, model, current);
    return true;
  }
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mutex);
    text = reply;
  }
  send_json(conn, 200,
            {{"id", "chatcmpl-fake"},
             {"object", "chat.completion"},
             {"created", static_cast<long long>(std::time(nullptr))},
             {"model", model},
             {"choices", json::array({{{"index", 0},
                                       {"message", {{"role", "assistant"}, {"content", text}}},
                                       {"logprobs", nullptr},
                                       {"finish_reason", "stop"}}})},
             {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}});
  return true;
}

bool fake_openai_server::impl::transcribe(mg_connection* conn) {
  const std::string body = read_body(conn);
  fake_stt_mode current;
  {
    std::lock_guard<std::mutex> lock(mutex);
    ++transcriptions;
    current = stt_mode;
  }
  if (!authorized(conn)) return true;
  const char* type = mg_get_header(conn, "Content-Type");
  const auto parts = parse_form(type != nullptr ? type : "", body);
  if (!parts) {
    send_json(conn, 400,
              error_body("Could not parse multipart form", "invalid_request_error", nullptr));
    return true;
  }
  fake_transcription_request seen;
  const char* auth = mg_get_header(conn, "Authorization");
  seen.authorization = auth != nullptr ? auth : "";
  bool wav = false;
  for (const auto& p : *parts) {
    if (p.name == "model") seen.model = p.data;
    if (p.name == "language") seen.language = p.data;
    if (p.name == "response_format") seen.response_format = p.data;
    if (p.name == "file") {
      seen.filename = p.filename;
      seen.content_type = p.type;
      wav = is_wav_16k_mono(p.data);
      if (wav) seen.wav_samples = (p.data.size() - 44) / 2;
    }
  }
  if (!wav) {
    send_json(conn, 400,
              error_body("Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', "
                         "'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']",
                         "invalid_request_error", nullptr));
    return true;
  }
  if (seen.model.empty()) {
    send_json(conn, 400,
              error_body("you must provide a model parameter", "invalid_request_error", nullptr));
    return true;
  }
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mutex);
    last_transcription = seen;
    text = transcript;
  }
  switch (current) {
    case fake_stt_mode::fail:
      send_json(
          conn, 500,
          error_body("The server had an error while processing your request. Sorry about that!",
                     "server_error", nullptr));
      return true;
    case fake_stt_mode::rate_limited: {
      const std::string text429 =
          error_body("Rate limit reached for requests", "requests", "rate_limit_exceeded").dump();
      const std::string length = std::to_string(text429.size());
      mg_response_header_start(conn, 429);
      mg_response_header_add(conn, "Content-Type", "application/json", -1);
      mg_response_header_add(conn, "Retry-After", "7", -1);
      mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
      mg_response_header_send(conn);
      mg_write(conn, text429.data(), text429.size());
      return true;
    }
    case fake_stt_mode::hang:
      hang();
      return true;
    case fake_stt_mode::normal:
      break;
  }
  send_json(conn, 200, {{"text", text}});
  return true;
}

json fake_openai_server::impl::chunk(const std::string& model, const json& delta,
                                     const json& finish) const {
  return {
      {"id", "chatcmpl-fake"},
      {"object", "chat.completion.chunk"},
      {"created", static_cast<long long>(std::time(nullptr))},
      {"model", model},
      {"system_fingerprint", "fp_fake"},
      {"choices",
       json::array(
           {{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}}})}};
}

void fake_openai_server::impl::stream(mg_connection* conn, const std::string& model,
                                      fake_openai_mode mode) {
  std::vector<std::string> pieces;
  std::chrono::milliseconds d;
  {
    std::lock_guard<std::mutex> lock(mutex);
    pieces = split_utf8(reply, piece_chars);
    d = delay;
  }
  mg_response_header_start(conn, 200);
  mg_response_header_add(conn, "Content-Type", "text/event-stream; charset=utf-8", -1);
  mg_response_header_add(conn, "Cache-Control", "no-cache", -1);
  mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  mg_response_header_send(conn);
  // A write that fails is the client gone (closed mid-stream).
  const auto send = [this, conn](const std::string& data) {
    const std::string event = "data: " + data + "\n\n";
    if (mg_send_chunk(conn, event.data(), static_cast<unsigned>(event.size())) > 0) return true;
    {
      std::lock_guard<std::mutex> lock(mutex);
      hung_up = std::chrono::steady_clock::now();
    }
    wake.notify_all();
    return false;
  };
  if (!send(chunk(model, {{"role", "assistant"}, {"content", ""}}, nullptr).dump())) return;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (!pause(d)) return;
    if (!send(chunk(model, {{"content", pieces[i]}}, nullptr).dump())) return;
    if (mode == fake_openai_mode::hang_mid_stream) {
      hang();
      return;
    }
    if (mode == fake_openai_mode::end_mid_stream) {
      mg_send_chunk(conn, "", 0);
      return;
    }
  }
  if (!pause(d)) return;
  if (!send(chunk(model, json::object(), "stop").dump()) || !send("[DONE]")) return;
  mg_send_chunk(conn, "", 0);  // the last chunk of the HTTP body
}

bool fake_openai_server::impl::pause(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex);
  return !wake.wait_for(lock, d, [this] { return stopping; });
}

void fake_openai_server::impl::hang() {
  std::unique_lock<std::mutex> lock(mutex);
  const std::size_t generation = hang_generation;
  wake.wait(lock, [&] { return stopping || hang_generation != generation; });
}

fake_openai_server::fake_openai_server(std::string api_key) : impl_(std::make_unique<impl>()) {
  impl_->key = std::move(api_key);
  const std::vector<std::string> options{
      "listening_ports",   "127.0.0.1:0", "num_threads",        "8",
      "enable_keep_alive", "yes",         "request_timeout_ms", "30000"};
  impl_->speech = std::make_unique<fake_speech>(impl_->key, impl_->key);
  impl_->server = std::make_unique<CivetServer>(options);
  impl_->server->addHandler("/v1/audio/speech", impl_->speech->openai_handler());
  impl_->server->addHandler("/v1/text-to-speech", impl_->speech->elevenlabs_handler());
  impl_->server->addHandler("/v1/chat/completions", impl_.get());
  impl_->transcriptions_handler.owner = impl_.get();
  impl_->server->addHandler("/v1/audio/transcriptions", &impl_->transcriptions_handler);
}

fake_openai_server::~fake_openai_server() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->speech->stop();
  // CivetWeb's accept loop polls in quanta of 2 s (SOCKET_TIMEOUT_QUANTUM, fixed when Debian
  // built it), so a plain stop takes ~2 s; a connection wakes the poll and it sees the stop flag.
  const int port = this->port();
  std::atomic<bool> stopped{false};
  std::thread waker([&] {
    while (!stopped) {
      poke(port);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  impl_->server.reset();  // joins the worker threads, now that none is parked
  stopped = true;
  waker.join();
}

int fake_openai_server::port() const {
  return impl_->server->getListeningPorts().at(0);
}

std::string fake_openai_server::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
}

const std::string& fake_openai_server::api_key() const {
  return impl_->key;
}

void fake_openai_server::set_reply(std::string text, std::size_t piece_chars) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->reply = std::move(text);
  impl_->piece_chars = piece_chars == 0 ? 1 : piece_chars;
}

void fake_openai_server::set_chunk_delay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->delay = delay;
}

void fake_openai_server::set_mode(fake_openai_mode mode) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->mode = mode;
}

void fake_openai_server::set_echo_key_in_errors(bool echo) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->echo_key = echo;
}

void fake_openai_server::release_hangs() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    ++impl_->hang_generation;
  }
  impl_->wake.notify_all();
}

std::string fake_openai_server::reply() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->reply;
}

std::vector<std::string> fake_openai_server::reply_pieces() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return split_utf8(impl_->reply, impl_->piece_chars);
}

std::string fake_openai_server::last_request_body() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_body;
}

std::optional<std::chrono::steady_clock::time_point> fake_openai_server::client_hung_up(
    std::chrono::milliseconds wait) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->wake.wait_for(lock, wait, [this] { return impl_->hung_up.has_value(); });
  return impl_->hung_up;
}

std::size_t fake_openai_server::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->requests;
}

void fake_openai_server::set_transcript(std::string text) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->transcript = std::move(text);
}

void fake_openai_server::set_transcription_mode(fake_stt_mode mode) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->stt_mode = mode;
}

std::size_t fake_openai_server::transcription_count() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->transcriptions;
}

fake_transcription_request fake_openai_server::last_transcription() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_transcription;
}

fake_speech& fake_openai_server::speech() {
  return *impl_->speech;
}

std::string fake_openai_server::elevenlabs_base_url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

int fake_openai_server::last_remote_port() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_port;
}

}  // namespace parley::fakes
