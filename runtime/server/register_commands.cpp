#include "runtime/server/register_commands.hpp"

#include <ostream>

#include "actors/transport/discord/commands.hpp"
#include "actors/transport/discord/rest_client.hpp"

namespace parley::runtime {

int register_commands(const config& c, std::ostream& out, std::ostream& err) {
  const auto& d = c.discord;
  if (d.token.empty() || d.client_id.empty()) {
    err << "parleyd: register-commands needs DISCORD_TOKEN (or DISCORD_TOKEN_FILE) and "
           "DISCORD_CLIENT_ID\n";
    return 2;
  }
  discord::rest_client rest(d.api_url, d.token, d.ca_file);
  const auto path = "/applications/" + d.client_id +
                    (d.guild_id.empty() ? "" : "/guilds/" + d.guild_id) + "/commands";
  const auto r = rest.request("PUT", path, discord::command_definitions());
  if (r.status < 200 || r.status >= 300) {
    err << "parleyd: Discord refused the commands: "
        << (r.status == 0 ? r.error : "HTTP " + std::to_string(r.status) + " " + r.body) << "\n";
    return 1;
  }
  out << "registered /voice join|leave|status "
      << (d.guild_id.empty() ? "globally (may take up to an hour to show)"
                             : "in guild " + d.guild_id)
      << " after " << r.attempts << " attempt(s)\n"
      << "invite: " << discord::invite_url(d.client_id) << "\n";
  return 0;
}

}  // namespace parley::runtime
