#include "tests/fakes/openai/fake_speech.hpp"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

namespace parley::fakes {
namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

void send_json(mg_connection* conn, int status, const json& body,
               const char* retry_after = nullptr) {
  const std::string text = body.dump();
  const std::string length = std::to_string(text.size());
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", "application/json", -1);
  if (retry_after != nullptr) mg_response_header_add(conn, "Retry-After", retry_after, -1);
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

std::string header(mg_connection* conn, const char* name) {
  const char* v = mg_get_header(conn, name);
  return v != nullptr ? v : "";
}

json openai_error(const std::string& message, const char* type, const json& code) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

// ElevenLabs' errors: {"detail": {"status": ..., "message": ...}}.
json elevenlabs_error(const char* status, const std::string& message) {
  return {{"detail", {{"status", status}, {"message", message}}}};
}

// FastAPI's validation error, as ElevenLabs answers a bad body (422).
json elevenlabs_missing(const char* field, const json& input) {
  return {{"detail", json::array({{{"type", "missing"},
                                   {"loc", json::array({"body", field})},
                                   {"msg", "Field required"},
                                   {"input", input}}})}};
}

std::string query_value(mg_connection* conn, const char* name) {
  const char* q = mg_get_request_info(conn)->query_string;
  if (q == nullptr) return {};
  char out[256];
  const int n = mg_get_var(q, std::strlen(q), name, out, sizeof out);
  return n < 0 ? std::string() : std::string(out, static_cast<std::size_t>(n));
}

std::string le_bytes(const std::vector<int16_t>& pcm) {
  std::string out;
  out.reserve(pcm.size() * 2);
  for (int16_t s : pcm) {
    const auto u = static_cast<std::uint16_t>(s);
    out += static_cast<char>(u & 0xFFU);
    out += static_cast<char>(u >> 8);
  }
  return out;
}

std::uint16_t port_of(const sockaddr_in& a) {
  return ntohs(a.sin_port);
}

// Closes the connection under `conn` the way a crashed upstream does.
// CivetWeb keeps a chunked answer's connection open for the next request
// and does not expose its socket: it is found by its two ports.
void cut_connection(mg_connection* conn) {
  const auto* info = mg_get_request_info(conn);
  for (int fd = 3; fd < 4096; ++fd) {
    sockaddr_in peer{}, local{};
    socklen_t n = sizeof peer, m = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &n) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &m) != 0 || peer.sin_family != AF_INET)
      continue;
    if (port_of(peer) == info->remote_port && port_of(local) == info->server_port) {
      ::shutdown(fd, SHUT_RDWR);
      return;
    }
  }
}

}  // namespace

std::vector<int16_t> fake_speech_pcm(const std::string& text) {
  constexpr double rate = 24000;
  const std::size_t n = static_cast<std::size_t>(rate * (0.2 + 0.01 * text.size()));
  std::vector<int16_t> pcm(n);
  double phase = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto step = i / 1200;  // 50 ms
    const double hz = 220.0 + 110.0 * static_cast<double>(step % 5);
    phase += 2 * M_PI * hz / rate;
    pcm[i] = static_cast<int16_t>(std::lround(8000 * std::sin(phase)));
  }
  return pcm;
}

struct fake_speech::impl {
  std::string openai_key, elevenlabs_key;
  mutable std::mutex mutex;
  mutable std::condition_variable wake;
  bool stopping = false;
  std::size_t hang_generation = 0;
  fake_tts_mode mode = fake_tts_mode::normal;
  std::chrono::milliseconds delay{10};
  std::size_t chunk_bytes = 4801;
  bool echo_key = false;
  std::size_t requests = 0;
  int last_port = 0;
  fake_speech_request last;
  std::optional<clock_type::time_point> last_chunk, hung_up;

  struct route : CivetHandler {
    impl* owner = nullptr;
    bool elevenlabs = false;
    bool handlePost(CivetServer*, mg_connection* conn) override {
      owner->handle(conn, elevenlabs);
      return true;
    }
  } openai_route, elevenlabs_route;

  void handle(mg_connection* conn, bool eleven);
  bool openai_request(mg_connection* conn, const json& body, fake_speech_request& r);
  bool elevenlabs_request(mg_connection* conn, const json& body, fake_speech_request& r);
  bool failed(mg_connection* conn, bool eleven, fake_tts_mode m, std::size_t generation);
  void stream(mg_connection* conn, const std::string& text, fake_tts_mode m,
              std::size_t generation);
  bool pause(std::chrono::milliseconds d);  // false when stopping
  // Until release_hangs() after the request's start (`generation`), or stop.
  void hang(std::size_t generation);
  bool write_chunk(mg_connection* conn, const char* data, std::size_t n);
};

void fake_speech::impl::handle(mg_connection* conn, bool eleven) {
  const std::string text = read_body(conn);
  fake_tts_mode current;
  std::size_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex);
    generation = hang_generation;
    ++requests;
    last_port = mg_get_request_info(conn)->remote_port;
    current = mode;
  }
  const json body = json::parse(text, nullptr, false);
  fake_speech_request r;
  r.provider = eleven ? "elevenlabs" : "openai";
  if (!(eleven ? elevenlabs_request(conn, body, r) : openai_request(conn, body, r))) return;
  {
    std::lock_guard<std::mutex> lock(mutex);
    last = r;
  }
  if (failed(conn, eleven, current, generation)) return;
  stream(conn, r.text, current, generation);
}

bool fake_speech::impl::openai_request(mg_connection* conn, const json& body,
                                       fake_speech_request& r) {
  r.credential = header(conn, "Authorization");
  if (r.credential != "Bearer " + openai_key) {
    bool echo;
    {
      std::lock_guard<std::mutex> lock(mutex);
      echo = echo_key;
    }
    const std::string quoted = echo ? ": " + r.credential.substr(r.credential.find(' ') + 1) : "";
    send_json(conn, 401,
              openai_error("Incorrect API key provided" + quoted + ".", "invalid_request_error",
                           "invalid_api_key"));
    return false;
  }
  const auto text = [&](const char* k) {
    return body.is_object() && body.contains(k) && body[k].is_string() ? body[k].get<std::string>()
                                                                       : std::string();
  };
  r.text = text("input");
  r.model = text("model");
  r.voice = text("voice");
  r.format = text("response_format");
  std::string problem;
  if (!body.is_object())
    problem = "We could not parse the JSON body of your request.";
  else if (r.model.empty())
    problem = "you must provide a model parameter";
  else if (r.text.empty() || r.text.size() > 4096)
    problem = "'input' must be a string of 1 to 4096 characters";
  else if (r.voice.empty())
    problem = "you must provide a voice parameter";
  else if (r.format != "pcm")  // the stand-in speaks only what Parley asks for
    problem = "response_format must be one of mp3, opus, aac, flac, wav, pcm";
  if (problem.empty()) return true;
  send_json(conn, 400, openai_error(problem, "invalid_request_error", nullptr));
  return false;
}

bool fake_speech::impl::elevenlabs_request(mg_connection* conn, const json& body,
                                           fake_speech_request& r) {
  r.credential = header(conn, "xi-api-key");
  if (r.credential != elevenlabs_key) {
    send_json(conn, 401, elevenlabs_error("invalid_api_key", "Invalid API key"));
    return false;
  }
  // /v1/text-to-speech/{voice}/stream
  const std::string uri = mg_get_request_info(conn)->local_uri;
  const std::string prefix = "/v1/text-to-speech/";
  const auto end = uri.find("/stream", prefix.size());
  r.voice = end == std::string::npos ? "" : uri.substr(prefix.size(), end - prefix.size());
  r.format = query_value(conn, "output_format");
  if (r.voice.empty() || end + 7 != uri.size()) {
    send_json(conn, 404, {{"detail", "Not Found"}});
    return false;
  }
  if (!body.is_object() || !body.contains("text") || !body["text"].is_string() ||
      body["text"].get<std::string>().empty()) {
    send_json(conn, 422, elevenlabs_missing("text", body.is_object() ? body : json(nullptr)));
    return false;
  }
  r.text = body["text"];
  r.model = body.value("model_id", "eleven_multilingual_v2");
  if (r.format != "pcm_24000") {  // the stand-in speaks only what Parley asks for
    send_json(conn, 422, elevenlabs_error("invalid_output_format", "unsupported output_format"));
    return false;
  }
  return true;
}

bool fake_speech::impl::failed(mg_connection* conn, bool eleven, fake_tts_mode m,
                               std::size_t generation) {
  switch (m) {
    case fake_tts_mode::fail:
      send_json(conn, 500,
                eleven ? elevenlabs_error("internal_server_error", "An internal error occurred.")
                       : openai_error("The server had an error while processing your request.",
                                      "server_error", nullptr));
      return true;
    case fake_tts_mode::rate_limited:
      send_json(
          conn, 429,
          eleven
              ? elevenlabs_error("too_many_concurrent_requests", "Too many concurrent requests.")
              : openai_error("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
          "7");
      return true;
    case fake_tts_mode::hang:
      hang(generation);
      return true;
    default:
      return false;
  }
}

bool fake_speech::impl::write_chunk(mg_connection* conn, const char* data, std::size_t n) {
  if (mg_send_chunk(conn, data, static_cast<unsigned>(n)) > 0) return true;
  {
    std::lock_guard<std::mutex> lock(mutex);
    hung_up = clock_type::now();
  }
  wake.notify_all();
  return false;
}

void fake_speech::impl::stream(mg_connection* conn, const std::string& text, fake_tts_mode m,
                               std::size_t generation) {
  const std::string bytes = le_bytes(fake_speech_pcm(text));
  std::chrono::milliseconds d;
  std::size_t size;
  {
    std::lock_guard<std::mutex> lock(mutex);
    d = delay;
    size = chunk_bytes;
  }
  mg_response_header_start(conn, 200);
  mg_response_header_add(conn, "Content-Type", "audio/pcm", -1);
  mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  mg_response_header_send(conn);
  for (std::size_t at = 0; at < bytes.size(); at += size) {
    if (!pause(d)) return;
    const std::size_t n = std::min(size, bytes.size() - at);
    if (at + n == bytes.size()) {
      std::lock_guard<std::mutex> lock(mutex);
      last_chunk = clock_type::now();
    }
    if (!write_chunk(conn, bytes.data() + at, n)) return;
    if (at == 0 && m == fake_tts_mode::truncated) return cut_connection(conn);
    if (at == 0 && m == fake_tts_mode::stall) hang(generation);  // then the rest: client gone?
  }
  mg_send_chunk(conn, "", 0);  // the last chunk of the HTTP body
}

bool fake_speech::impl::pause(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex);
  return !wake.wait_for(lock, d, [this] { return stopping; });
}

void fake_speech::impl::hang(std::size_t generation) {
  std::unique_lock<std::mutex> lock(mutex);
  wake.wait(lock, [&] { return stopping || hang_generation != generation; });
}

fake_speech::fake_speech(std::string openai_key, std::string elevenlabs_key)
    : impl_(std::make_unique<impl>()) {
  impl_->openai_key = std::move(openai_key);
  impl_->elevenlabs_key = std::move(elevenlabs_key);
  impl_->openai_route.owner = impl_.get();
  impl_->elevenlabs_route.owner = impl_.get();
  impl_->elevenlabs_route.elevenlabs = true;
}

fake_speech::~fake_speech() = default;

CivetHandler* fake_speech::openai_handler() {
  return &impl_->openai_route;
}
CivetHandler* fake_speech::elevenlabs_handler() {
  return &impl_->elevenlabs_route;
}

void fake_speech::stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
}

void fake_speech::set_mode(fake_tts_mode mode) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->mode = mode;
}

void fake_speech::set_chunk_delay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->delay = delay;
}

void fake_speech::set_chunk_bytes(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->chunk_bytes = bytes == 0 ? 1 : bytes;
}

void fake_speech::set_echo_key_in_errors(bool echo) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->echo_key = echo;
}

void fake_speech::release_hangs() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    ++impl_->hang_generation;
  }
  impl_->wake.notify_all();
}

std::size_t fake_speech::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->requests;
}

fake_speech_request fake_speech::last_request() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last;
}

std::optional<clock_type::time_point> fake_speech::last_chunk_started() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_chunk;
}

std::optional<clock_type::time_point> fake_speech::client_hung_up(
    std::chrono::milliseconds wait) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->wake.wait_for(lock, wait, [this] { return impl_->hung_up.has_value(); });
  return impl_->hung_up;
}

int fake_speech::last_remote_port() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_port;
}

}  // namespace parley::fakes
