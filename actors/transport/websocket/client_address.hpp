#pragma once
// Which address a connection counts against (the per-address limit, the
// logs). Behind a reverse proxy every peer is the proxy, so the proxy's
// X-Forwarded-For is believed — but only from the proxies named in
// PARLEY_TRUSTED_PROXIES: anyone else could write any address there.

#include <string>
#include <vector>

namespace parley::transport {

// `peer`: the socket's remote address. `forwarded_for`: the header, as
// "client, proxy1, proxy2" (each proxy appends the address it saw). The
// answer is the rightmost address that is not a trusted proxy; with an
// untrusted peer, the peer.
std::string client_address(const std::string& peer, const std::string& forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace parley::transport
