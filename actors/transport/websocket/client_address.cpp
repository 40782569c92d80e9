#include "actors/transport/websocket/client_address.hpp"

#include <algorithm>

namespace parley::transport {

namespace {

bool trusted(const std::string& address, const std::vector<std::string>& proxies) {
  return std::find(proxies.begin(), proxies.end(), address) != proxies.end();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::string client_address(const std::string& peer, const std::string& forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  if (!trusted(peer, trusted_proxies)) return peer;
  std::string address = peer;
  // From the right: each hop a trusted proxy wrote is believed, until the
  // first address no trusted proxy vouches for.
  std::size_t end = forwarded_for.size();
  while (end > 0 && trusted(address, trusted_proxies)) {
    const auto comma = forwarded_for.rfind(',', end - 1);
    const auto start = comma == std::string::npos ? 0 : comma + 1;
    const auto hop = trim(forwarded_for.substr(start, end - start));
    if (hop.empty() || hop.size() > 64) break;
    address = hop;
    end = comma == std::string::npos ? 0 : comma;
  }
  return address;
}

}  // namespace parley::transport
