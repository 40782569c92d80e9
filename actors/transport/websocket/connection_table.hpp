#pragma once
// The voice port's connections as the listener's I/O thread sees them: each
// connection's actor, once its supervisor (the gateway) has started it.
// What arrives before then waits here, in order, and is handed over when
// the actor exists, so the I/O thread never waits for an actor to start.

#include <caf/actor.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "actors/transport/websocket/voice_listener.hpp"

namespace parley::transport {

class connection_table {
 public:
  void opened(connection_id id, std::string remote);
  // The connection's actor started: what waited goes to it now. False when
  // the connection closed meanwhile (the actor is then told so too).
  bool started(connection_id id, const caf::actor& actor);
  // A text (binary = false) or binary message for the connection's actor.
  void deliver(connection_id id, std::string payload, bool binary);
  // While on, the connection's DTX packets are counted here instead of
  // crossing to its actor one message each (an idle speaker sends 50 a
  // second); the count goes over (ws_silence_atom) in its place before the
  // next message that crosses, or when this is turned off.
  void keep_silence(connection_id id, bool on);
  // The socket closed: its actor hears it; the entry goes.
  void closed(connection_id id);
  // The actor ended first (killed): no actor to deliver to any more.
  void ended(connection_id id);

  std::size_t size() const;
  std::size_t from(const std::string& remote) const;  // connections of one address

 private:
  struct entry {
    caf::actor actor;
    bool gone = false;  // the actor ended before the socket closed
    bool keep_silence = false;
    std::uint64_t kept = 0;  // DTX packets counted since the last message that crossed
    std::string remote;
    std::vector<std::pair<std::string, bool>> waiting;
  };
  void hand_over_kept(entry& e);

  mutable std::mutex mutex_;
  std::map<connection_id, entry> entries_;
  std::map<std::string, std::size_t> per_address_;
};

}  // namespace parley::transport
