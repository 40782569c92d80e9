#pragma once
// The server's side of docs/protocol.md: every JSON text the WebSocket
// transport sends is made here (client_message.cpp reads the client's side).

#include <string>
#include <string_view>

#include "messages/session_events.hpp"

namespace parley::transport {

std::string encode_event(const messages::session_event& e);

// An `error` event from the transport itself (protocol, bad_json, …).
std::string encode_error(std::string_view code, std::string_view message);

struct ready_info {
  std::string guild, user, session;
  std::string resume;  // the token a reconnecting client sends in its hello
};
std::string encode_ready(const ready_info& r);

// The JSON body of a refused handshake.
std::string encode_refusal(std::string_view code, std::string_view message);

}  // namespace parley::transport
