#pragma once
// `parleyd --health [PATH]`: the container's HEALTHCHECK, so the image needs
// no curl. Asks this process's own ops endpoint (PARLEY_OPS_ADDR) for PATH.

#include <string>

#include "runtime/server/config.hpp"

namespace parley::runtime {

// GET http://ops_addr/PATH (default /livez) within `timeout_ms`; true on 200.
// A wildcard listen address is asked on loopback. Says why on `why` if not.
bool probe_health(const endpoint& ops_addr, const std::string& path, long timeout_ms,
                  std::string& why);

}  // namespace parley::runtime
