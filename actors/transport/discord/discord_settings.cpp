#include "actors/transport/discord/discord_settings.hpp"

#include <cstdlib>

namespace parley::discord {

std::optional<struct shard> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return std::nullopt;
  const auto i = text.substr(0, slash), n = text.substr(slash + 1);
  if (i.find_first_not_of("0123456789") != std::string::npos || i.size() > 4 ||
      n.find_first_not_of("0123456789") != std::string::npos || n.size() > 4)
    return std::nullopt;
  const auto id = static_cast<std::uint32_t>(std::stoul(i));
  const auto count = static_cast<std::uint32_t>(std::stoul(n));
  if (count == 0 || count > 4096 || id >= count) return std::nullopt;
  return shard{id, count};
}

std::string invite_url(const std::string& client_id) {
  return "https://discord.com/oauth2/authorize?client_id=" + client_id +
         "&scope=bot%20applications.commands&permissions=" + std::to_string(needed_permissions);
}

}  // namespace parley::discord
