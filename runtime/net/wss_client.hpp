#pragma once
// One outgoing WebSocket connection over TLS (wss:// only): Discord's
// gateways, streaming speech providers. websocketpp and asio stay inside wss_client.cpp; events
// arrive on the connection's own I/O thread, so keep handlers short (they
// forward to an actor). The peer's certificate is verified against the
// system's trust store, or against `ca_file` when one is given (a private
// CA in tests, or a corporate proxy's).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parley::net {

struct wss_handlers {
  std::function<void()> on_open;
  std::function<void(std::string)> on_text;
  std::function<void(std::string)> on_binary;
  // The connection is over: the peer's close code (1006 when it never said
  // one, e.g. a dropped TCP connection or a failed handshake) and a reason
  // fit for a log line ("HTTP 401 ..." when the server refused the upgrade).
  std::function<void(int, std::string)> on_close;
};

struct wss_options {
  std::string url;      // wss://host[:port]/path?query
  std::string ca_file;  // empty: the system's trust store
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  // Sent with the upgrade request (e.g. Authorization): a key goes here,
  // never in the URL, which may reach a log line.
  std::vector<std::pair<std::string, std::string>> headers = {};
};

class wss_client {
 public:
  // Starts connecting at once; failures arrive as on_close.
  wss_client(wss_options options, wss_handlers handlers);
  ~wss_client();  // closes (going away) and joins the I/O thread
  wss_client(const wss_client&) = delete;
  wss_client& operator=(const wss_client&) = delete;

  // Thread-safe; ignored once closed.
  void send_text(const std::string& payload);
  void send_binary(const std::string& payload);
  void close(int code, const std::string& reason);

  class impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::net
