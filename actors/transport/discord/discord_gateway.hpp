#pragma once
// discord_gateway: the bot's connection to Discord's gateway (v10 over TLS)
// for one shard, and the supervisor of its guilds' voice connections. It
// tracks who is in which voice channel, answers /voice join | leave |
// status, asks Discord to move the bot (op 4), and starts a discord_voice
// once Discord has said where the voice server is. What it learnt (the
// gateway session, voice states, each guild's voice session) outlives it:
// a killed gateway resumes, and its voice connections resume with it.

#include <memory>

#include "actors/transport/discord/discord_metrics.hpp"
#include "actors/transport/discord/discord_settings.hpp"
#include "runtime/common/readiness.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::discord {

struct gateway_memory;

struct gateway_settings {
  discord_settings discord;
  std::shared_ptr<gateway_memory> memory;  // made by discord_gateway_spec when empty
  discord_metrics* metrics = nullptr;      // optional
  // Optional: the "discord" check of /readyz, failing once Discord has
  // closed the gateway for good (a bad token, a wrong shard): the process
  // is alive but can never do its work, and an orchestrator should say so.
  runtime::readiness* ready = nullptr;
};

runtime::child_spec discord_gateway_spec(gateway_settings settings);

}  // namespace parley::discord
