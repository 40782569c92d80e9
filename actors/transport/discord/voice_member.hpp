#pragma once
// discord_member: one per person speaking in a guild's voice channel, the
// child of that guild's voice connection. It is the person's member of the
// room (the transport contract, through session_link): their Opus frames go
// to the core, and the reply audio comes back to the connection, which
// sends it into the channel once.

#include <caf/actor.hpp>
#include <string>

#include "runtime/common/supervisor.hpp"

namespace parley::discord {

struct member_settings {
  std::string guild, channel, user;
  caf::actor tree;        // the way to the sessions supervisor
  caf::actor connection;  // where reply audio goes
};

runtime::child_spec voice_member_spec(member_settings settings);

}  // namespace parley::discord
