#pragma once
// The voice port: WebSocket upgrades on /v1/voice, plain HTTP for the page.
// websocketpp and asio stay inside voice_listener.cpp; callers see
// connection ids, and events arrive on the listener's own I/O thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace parley::transport {

using connection_id = std::uint64_t;

struct listener_config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;  // 0: an ephemeral port
  std::string tls_cert;       // both set: wss:// and https://
  std::string tls_key;
  std::size_t max_message_bytes = 64 * 1024;
  std::chrono::milliseconds ping_interval{10000};  // heartbeat
  std::chrono::milliseconds idle_timeout{30000};   // no message nor pong for this long closes
};

struct upgrade_request {
  std::string path;
  std::map<std::string, std::string> query;
  std::string origin;
  std::string authorization;
  std::string remote;         // peer address, without port
  std::string forwarded_for;  // X-Forwarded-For, when a proxy sent one
};

struct http_reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Called on the listener's I/O thread: keep them short and never block.
class listener_events {
 public:
  virtual ~listener_events() = default;
  // Accept (status 101) or refuse the upgrade with a status and body.
  virtual http_reply on_upgrade(const upgrade_request& req) = 0;
  virtual void on_open(connection_id id, const upgrade_request& req) = 0;
  virtual void on_text(connection_id id, std::string payload) = 0;
  virtual void on_binary(connection_id id, std::string payload) = 0;
  virtual void on_close(connection_id id) = 0;
  // A plain HTTP GET (not an upgrade), e.g. the browser page.
  virtual http_reply on_http(const std::string& path) = 0;
};

// What a connection's actor needs of its socket; voice_listener is one,
// tests have another. Thread-safe; unknown or closed ids are ignored.
class connection_io {
 public:
  virtual ~connection_io() = default;
  virtual void send_text(connection_id id, const std::string& payload) = 0;
  virtual void send_binary(connection_id id, const std::string& payload) = 0;
  virtual void close(connection_id id, std::uint16_t code, const std::string& reason) = 0;
};

class voice_listener final : public connection_io {
 public:
  // Binds and starts serving; throws std::runtime_error when it cannot.
  // `events` lives as long as the listener: a sender holding the listener
  // for a moment must not outlive what its I/O thread calls.
  voice_listener(listener_config cfg, std::shared_ptr<listener_events> events);
  ~voice_listener();  // stop()
  // Closes every connection (going away), frees the port and joins the I/O
  // thread; sends after it are ignored. Idempotent.
  void stop();
  voice_listener(const voice_listener&) = delete;
  voice_listener& operator=(const voice_listener&) = delete;

  std::uint16_t port() const;
  bool tls() const;
  void send_text(connection_id id, const std::string& payload) override;
  void send_binary(connection_id id, const std::string& payload) override;
  void close(connection_id id, std::uint16_t code, const std::string& reason) override;
  std::size_t connections() const;

  class impl;

 private:
  std::shared_ptr<listener_events> events_;  // outlives impl_
  std::unique_ptr<impl> impl_;
};

// Parses "a=1&b=two%20words" (percent-decoding values).
std::map<std::string, std::string> parse_query(const std::string& query);

}  // namespace parley::transport
