#pragma once
// voice_gateway: the transport actor that owns the voice port. Each
// WebSocket connection becomes a voice_client actor that speaks the protocol
// (docs/protocol.md), joins its guild_session and keeps the frames it sent
// until the session is done with them, to replay them after a restart.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/transport/websocket/voice_listener.hpp"
#include "runtime/common/readiness.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::session {
struct voice_metrics;
}  // namespace parley::session

namespace parley::transport {

struct gateway_settings {
  listener_config listener;
  std::string token;                         // PARLEY_VOICE_TOKEN; empty: open
  std::vector<std::string> allowed_origins;  // empty: any
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For is believed
  std::size_t max_sessions = 200;            // connections held at once
  std::size_t max_per_address = 100;         // connections from one address (NAT: a household)
  double max_messages_per_second = 100;      // 50 audio frames/s plus room
  std::chrono::milliseconds hello_timeout{10000};
  std::string page;  // the browser page served at GET /
  // Where the bound port is published (port 0 picks one), when set.
  std::shared_ptr<std::atomic<std::uint16_t>> bound_port;
};

// The gateway's connections find the sessions through its supervisor. The
// `voice_port` readiness check follows the port: failing from the moment
// the gateway ends until its replacement listens.
runtime::child_spec voice_gateway_spec(gateway_settings settings, session::voice_metrics* stats,
                                       runtime::readiness* ready);

}  // namespace parley::transport
