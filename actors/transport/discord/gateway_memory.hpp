#pragma once
// What the Discord gateway actor knows, kept outside it so a restarted
// gateway resumes where the killed one was.

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "actors/transport/discord/gateway_session.hpp"
#include "actors/transport/discord/voice_connection.hpp"

namespace parley::discord {

// The bot's voice in one guild, as the gateway's events told it.
struct guild_voice {
  std::string channel, session_id, token, endpoint;
  // What the running connection was given (its memory is its own to change).
  std::string connected_session, connected_token, connected_endpoint;
  std::shared_ptr<voice_memory> memory;  // the running connection's
  std::shared_ptr<voice_counters> counters = std::make_shared<voice_counters>();
};

struct gateway_memory {
  gateway_memory(const std::string& token, shard s)
      : session(token, s, [this] { return std::uniform_real_distribution<double>(0, 1)(rng); }) {}
  std::mt19937 rng{std::random_device{}()};
  gateway_session session;
  std::string bot_user;
  // guild -> user -> voice channel, from GUILD_CREATE and VOICE_STATE_UPDATE.
  std::map<std::string, std::map<std::string, std::string>> voice_states;
  std::map<std::string, guild_voice> voice;  // by guild
  std::chrono::steady_clock::time_point last_identify{};
  std::deque<std::chrono::steady_clock::time_point> sent;  // the send limit's window
  std::uint64_t reconnects = 0, resumes = 0;
};

}  // namespace parley::discord
