#pragma once
// A client of Parley's voice protocol (docs/protocol.md) for tests and the
// load generator. Many connections share one client_pool and its I/O thread;
// websocketpp stays inside voice_connection.cpp.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace parley::client {

using clock = std::chrono::steady_clock;
using bytes = std::vector<std::uint8_t>;

struct event {
  nlohmann::json body;  // the server's JSON event
  clock::time_point at;
  // How many audio packets had arrived before this event: reply audio for a
  // turn is audio packets [audio_started.audio_index, audio_ended.audio_index).
  std::size_t audio_index = 0;
  std::string type() const { return body.value("type", ""); }
};

struct audio_packet {
  bytes opus;
  clock::time_point at;
};

class client_pool;

// One WebSocket connection. Thread-safe: events arrive on the pool's thread,
// the owner waits on them from its own.
class voice_connection {
 public:
  ~voice_connection();

  // Blocks until the handshake finished or failed (false; see http_status()).
  bool wait_open(std::chrono::milliseconds timeout);
  int http_status() const;      // the refusal's status, when the upgrade failed
  std::string refusal() const;  // the refusal's body
  bool open() const;
  int close_code() const;            // the server's close code once closed, else 0
  std::string close_reason() const;  // and its reason

  void send_text(const std::string& text);
  void send_json(const nlohmann::json& j) { send_text(j.dump()); }
  void send_hello();
  void send_opus(const bytes& packet);
  void close();

  // Waits for the next event of `type` not yet taken (and consumes it).
  std::optional<event> wait_for(const std::string& type, std::chrono::milliseconds timeout);
  // Waits until `pred` holds over everything received so far.
  bool wait_until(const std::function<bool(const std::vector<event>&, std::size_t audio)>& pred,
                  std::chrono::milliseconds timeout);
  std::vector<event> events() const;
  std::vector<audio_packet> audio() const;
  std::size_t audio_count() const;
  // Non-blocking polls for callers that keep their own cursor (parley-load):
  // they copy only what arrived since `from` (indices count from the first
  // message ever received, also after forget_before).
  std::vector<event> events_since(std::size_t from) const;
  std::vector<clock::time_point> audio_times_since(std::size_t from) const;
  // Drops the events before index `events` and the audio before index `audio`
  // so that a long-running client does not hold every message; events() and
  // audio() then return only what is left.
  void forget_before(std::size_t events, std::size_t audio);
  bool closed() const;
  bool wait_closed(std::chrono::milliseconds timeout);
  // Waits until the server has pinged this connection `n` times (each is
  // answered with a pong by the library).
  bool wait_pings(std::size_t n, std::chrono::milliseconds timeout);

  struct state;

 private:
  friend class client_pool;
  explicit voice_connection(std::shared_ptr<state> s) : s_(std::move(s)) {}
  std::shared_ptr<state> s_;
};

class client_pool {
 public:
  client_pool();
  ~client_pool();
  client_pool(const client_pool&) = delete;
  client_pool& operator=(const client_pool&) = delete;

  // Starts connecting to e.g. "ws://127.0.0.1:8080/v1/voice?guild=g&user=u".
  std::unique_ptr<voice_connection> connect(
      const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers = {});

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::client
