#pragma once
// The slash commands: /voice join | leave | status. Their definition (what
// register-commands uploads), reading an INTERACTION_CREATE, and the
// interaction responses (answered at once, well inside Discord's 3 s;
// errors are ephemeral: only the caller sees them).

#include <cstdint>
#include <optional>
#include <string>

namespace parley::discord {

// The JSON array PUT to /applications/{id}/commands (or a guild's).
std::string command_definitions();

struct interaction {
  std::string id, token, guild_id, channel_id, user_id;
  std::string subcommand;  // join, leave, status
  std::optional<std::uint64_t> app_permissions;
};
// Nullopt (and `error`) for what is not a /voice command from a guild.
std::optional<interaction> read_interaction(const std::string& data_json,
                                            std::string* error = nullptr);

// An interaction response with a message (type 4); ephemeral by default.
std::string message_response(const std::string& content, bool ephemeral = true);
std::string callback_path(const interaction& i);

}  // namespace parley::discord
