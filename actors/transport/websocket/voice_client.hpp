#pragma once
// voice_client: one per WebSocket connection; the protocol's state machine.
// A connection that has not said hello within `hello_timeout` is closed: it
// holds a slot of the session limit without being anyone.

#include <caf/fwd.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "actors/transport/websocket/voice_listener.hpp"

namespace parley::session {
struct voice_metrics;
}

namespace parley::transport {

// `tree` is the supervisor of the connection's transport: the client finds
// the sessions supervisor through it (see find_child_atom).
caf::actor spawn_voice_client(caf::actor_system& sys, connection_id id, std::string guild,
                              std::string user, std::weak_ptr<voice_listener> listener,
                              caf::actor tree, session::voice_metrics* stats,
                              std::chrono::milliseconds hello_timeout);

}  // namespace parley::transport
