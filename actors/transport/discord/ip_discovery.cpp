#include "actors/transport/discord/ip_discovery.hpp"

#include <algorithm>

namespace parley::discord {

namespace {

bytes discovery_packet(std::uint16_t type, const discovered_address& a) {
  bytes p(ip_discovery_size, 0);
  p[0] = static_cast<std::uint8_t>(type >> 8);
  p[1] = static_cast<std::uint8_t>(type);
  p[3] = 70;
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<std::uint8_t>(a.ssrc >> (24 - 8 * i));
  const auto n = std::min<std::size_t>(a.address.size(), 63);
  std::copy_n(a.address.begin(), n, p.begin() + 8);
  p[72] = static_cast<std::uint8_t>(a.port >> 8);
  p[73] = static_cast<std::uint8_t>(a.port);
  return p;
}

}  // namespace

bytes ip_discovery_request(std::uint32_t ssrc) {
  return discovery_packet(1, {ssrc, {}, 0});
}

bytes ip_discovery_response(const discovered_address& a) {
  return discovery_packet(2, a);
}

std::optional<discovered_address> read_ip_discovery(const std::uint8_t* data, std::size_t size,
                                                    std::uint16_t type) {
  if (size != ip_discovery_size) return std::nullopt;
  if (((data[0] << 8) | data[1]) != type || ((data[2] << 8) | data[3]) != 70) return std::nullopt;
  discovered_address a;
  for (int i = 0; i < 4; ++i) a.ssrc = (a.ssrc << 8) | data[4 + i];
  const auto* text = reinterpret_cast<const char*>(data + 8);
  const auto* end = std::find(text, text + 64, '\0');
  if (end == text + 64) return std::nullopt;  // no terminator inside its field
  a.address.assign(text, end);
  a.port = static_cast<std::uint16_t>((data[72] << 8) | data[73]);
  return a;
}

}  // namespace parley::discord
