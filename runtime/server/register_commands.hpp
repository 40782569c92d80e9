#pragma once
// `parleyd register-commands`: uploads the /voice slash command through
// Discord's REST API (globally, or to DISCORD_GUILD_ID's guild, where it
// shows at once) and prints the invite URL with the permissions Parley
// needs. Exit 0 on success, 1 when Discord refused, 2 on bad settings.

#include <iosfwd>

#include "runtime/server/config.hpp"

namespace parley::runtime {

int register_commands(const config& c, std::ostream& out, std::ostream& err);

}  // namespace parley::runtime
