#pragma once
// The UDP socket of one voice connection, "connected" to the voice server's
// address so only its datagrams come in. A receive thread hands each
// datagram to `on_datagram`; sends are thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "actors/transport/discord/rtp_packet.hpp"

namespace parley::discord {

class udp_link {
 public:
  // Throws std::runtime_error when the address does not resolve or the
  // socket cannot be made.
  udp_link(const std::string& host, std::uint16_t port, std::function<void(bytes)> on_datagram);
  ~udp_link();  // stops and joins the receive thread
  udp_link(const udp_link&) = delete;
  udp_link& operator=(const udp_link&) = delete;

  bool send(const bytes& datagram);
  std::uint64_t sent() const { return sent_; }

 private:
  void receive();

  int fd_ = -1;
  std::function<void(bytes)> on_datagram_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> sent_{0};
  std::thread thread_;
};

}  // namespace parley::discord
