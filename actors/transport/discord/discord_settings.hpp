#pragma once
// What the Discord transport needs from the configuration. The bot token
// comes only from DISCORD_TOKEN or the file DISCORD_TOKEN_FILE names, and
// is registered as a log secret before anything can print it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/transport/discord/gateway_session.hpp"

namespace parley::discord {

struct discord_settings {
  std::string token;  // empty: Discord is off
  std::string gateway_url = "wss://gateway.discord.gg";
  std::string api_url = "https://discord.com/api/v10";
  std::string ca_file;  // trust for Discord's certificates; empty: the system's
  struct shard shard;
  std::string client_id, guild_id;  // register-commands
  // The agent leaves a voice channel that has had nobody else in it this long.
  std::chrono::seconds empty_leave{60};
  std::string engines;  // "stt/tts/agent", for /voice status

  bool enabled() const { return !token.empty(); }
};

// "i/n" with 0 <= i < n <= 4096; nullopt otherwise.
std::optional<struct shard> parse_shard(const std::string& text);

// Discord's invite URL for this application with exactly the permissions
// Parley uses: View Channel, Connect, Speak.
std::string invite_url(const std::string& client_id);
constexpr std::uint64_t permission_view_channel = 1ULL << 10;
constexpr std::uint64_t permission_connect = 1ULL << 20;
constexpr std::uint64_t permission_speak = 1ULL << 21;
constexpr std::uint64_t needed_permissions =
    permission_view_channel | permission_connect | permission_speak;

}  // namespace parley::discord
