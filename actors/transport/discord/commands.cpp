#include "actors/transport/discord/commands.hpp"

#include <nlohmann/json.hpp>

namespace parley::discord {

using nlohmann::json;

std::string command_definitions() {
  auto sub = [](const char* name, const char* description) {
    return json{{"type", 1}, {"name", name}, {"description", description}};
  };
  return json::array(
             {{{"name", "voice"},
               {"type", 1},
               {"description", "Talk with the agent in a voice channel"},
               {"contexts", {0}},  // guilds only
               {"options",
                {sub("join", "Join the voice channel you are in"),
                 sub("leave", "Leave the voice channel"),
                 sub("status", "Who is connected, the engines, latency of the last turns")}}}})
      .dump();
}

namespace {

bool fail(std::string* error, const char* why) {
  if (error != nullptr) *error = why;
  return false;
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

bool read_command(const json& d, interaction& i, std::string* error) {
  if (!d.contains("type") || d["type"] != 2) return fail(error, "not an application command");
  const json& data = d.contains("data") ? d["data"] : json();
  if (!data.is_object() || str(data, "name") != "voice") return fail(error, "not /voice");
  if (!data.contains("options") || !data["options"].is_array() || data["options"].empty())
    return fail(error, "/voice without a subcommand");
  i.subcommand = str(data["options"][0], "name");
  if (i.subcommand != "join" && i.subcommand != "leave" && i.subcommand != "status")
    return fail(error, "an unknown /voice subcommand");
  return true;
}

}  // namespace

std::optional<interaction> read_interaction(const std::string& data_json, std::string* error) {
  const auto d = json::parse(data_json, nullptr, false);
  if (!d.is_object()) {
    fail(error, "not a JSON object");
    return std::nullopt;
  }
  interaction i;
  i.id = str(d, "id");
  i.token = str(d, "token");
  i.guild_id = str(d, "guild_id");
  i.channel_id = str(d, "channel_id");
  if (d.contains("member") && d["member"].is_object() && d["member"].contains("user"))
    i.user_id = str(d["member"]["user"], "id");
  if (i.id.empty() || i.token.empty()) {
    fail(error, "an interaction without id and token");
    return std::nullopt;
  }
  if (i.guild_id.empty() || i.user_id.empty()) {
    fail(error, "not from a guild member");
    return std::nullopt;
  }
  if (!read_command(d, i, error)) return std::nullopt;
  const auto perms = str(d, "app_permissions");
  if (!perms.empty() && perms.find_first_not_of("0123456789") == std::string::npos &&
      perms.size() < 20)
    i.app_permissions = std::stoull(perms);
  return i;
}

std::string message_response(const std::string& content, bool ephemeral) {
  json data{{"content", content}, {"allowed_mentions", {{"parse", json::array()}}}};
  if (ephemeral) data["flags"] = 64;
  return json{{"type", 4}, {"data", data}}.dump();
}

std::string callback_path(const interaction& i) {
  return "/interactions/" + i.id + "/" + i.token + "/callback";
}

}  // namespace parley::discord
