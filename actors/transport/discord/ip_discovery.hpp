#pragma once
// UDP IP discovery (Discord's voice docs): before selecting a protocol the
// client sends a 74-byte request with its SSRC to the voice server's UDP
// port and learns the address and port the server sees it from.
//   type u16 (1 request, 2 response) | length u16 (70) | ssrc u32 |
//   address: 64 bytes, NUL-terminated | port u16, all big-endian.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/transport/discord/rtp_packet.hpp"

namespace parley::discord {

constexpr std::size_t ip_discovery_size = 74;

struct discovered_address {
  std::uint32_t ssrc = 0;
  std::string address;
  std::uint16_t port = 0;
};

bytes ip_discovery_request(std::uint32_t ssrc);
// The server's answer (the fake server builds it with `ip_discovery_response`).
bytes ip_discovery_response(const discovered_address& a);
// Nullopt for anything but a well-formed packet of `type`.
std::optional<discovered_address> read_ip_discovery(const std::uint8_t* data, std::size_t size,
                                                    std::uint16_t type = 2);

}  // namespace parley::discord
