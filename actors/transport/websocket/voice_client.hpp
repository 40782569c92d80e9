#pragma once
// voice_client: one per WebSocket connection; the protocol's state machine.
// A connection that has not said hello within `hello_timeout` is closed: it
// holds a slot of the session limit without being anyone.

#include <caf/actor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "actors/transport/websocket/voice_listener.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::session {
struct voice_metrics;
}

namespace parley::transport {

struct client_settings {
  connection_id id = 0;
  std::string guild, user;
  std::weak_ptr<connection_io> listener;
  // The supervisor of the connection's transport: the client finds the
  // sessions supervisor through it (see find_child_atom).
  caf::actor tree;
  session::voice_metrics* stats = nullptr;
  std::chrono::milliseconds hello_timeout{10000};
  // Whether the listener may keep this connection's DTX packets back while
  // the person is quiet (see connection_table::keep_silence).
  std::function<void(bool)> keep_silence;
};

// A child of the voice gateway, labelled with its guild and user.
runtime::child_spec voice_client_spec(client_settings settings);

}  // namespace parley::transport
