#pragma once
// A bare TCP connection, for clients that misbehave below HTTP and
// WebSocket: half-sent requests, bytes that are not HTTP at all.

#include <chrono>
#include <cstdint>
#include <string>

namespace parley::test {

class raw_socket {
 public:
  raw_socket(const std::string& host, std::uint16_t port);  // throws when it cannot connect
  ~raw_socket();
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  bool send(const std::string& bytes);  // false once the peer has gone
  // Reads what arrives until the peer closes or `timeout` passes; true when
  // the peer closed (what it sent before is in `received`).
  bool wait_closed_by_peer(std::chrono::milliseconds timeout, std::string* received = nullptr);
  // What arrives until the end of an HTTP head ("\r\n\r\n"), the peer's
  // close, or `timeout`.
  std::string read_head(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace parley::test
