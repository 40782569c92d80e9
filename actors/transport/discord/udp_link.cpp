#include "actors/transport/discord/udp_link.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace parley::discord {

udp_link::udp_link(const std::string& host, std::uint16_t port,
                   std::function<void(bytes)> on_datagram)
    : on_datagram_(std::move(on_datagram)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 ||
      found == nullptr)
    throw std::runtime_error("voice server address '" + host + "' does not resolve");
  fd_ = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  const bool ok = fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
  const int err = errno;
  freeaddrinfo(found);
  if (!ok) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("voice UDP socket: " + std::string(std::strerror(err)));
  }
  thread_ = std::thread([this] { receive(); });
}

udp_link::~udp_link() {
  stopping_ = true;
  thread_.join();
  ::close(fd_);
}

bool udp_link::send(const bytes& datagram) {
  const auto n = ::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL);
  if (n != static_cast<ssize_t>(datagram.size())) return false;
  ++sent_;
  return true;
}

void udp_link::receive() {
  bytes buffer(max_voice_packet + 1);
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    // A short wait so the destructor is never held up for long.
    if (::poll(&p, 1, 100) <= 0) continue;
    const auto n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0) continue;  // ICMP refusals surface here; the server may come back
    on_datagram_(bytes(buffer.begin(), buffer.begin() + n));
  }
}

}  // namespace parley::discord
