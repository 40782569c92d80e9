#include "tests/fakes/openai/fake_openai_server.hpp"

#include <CivetServer.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
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
  std::unique_ptr<CivetServer> server;  // last member: stopped before the rest is destroyed

  bool handlePost(CivetServer*, mg_connection* conn) override;
  bool handleGet(CivetServer*, mg_connection* conn) override;

  bool authorized(mg_connection* conn);
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
  impl_->server = std::make_unique<CivetServer>(options);
  impl_->server->addHandler("/v1/chat/completions", impl_.get());
}

fake_openai_server::~fake_openai_server() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
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

int fake_openai_server::last_remote_port() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_port;
}

}  // namespace parley::fakes
