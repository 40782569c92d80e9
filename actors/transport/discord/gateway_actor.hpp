#pragma once
// Inside the discord_gateway actor: its state and the functions its two
// translation units share (the connection in discord_gateway.cpp, the
// guilds' voice and the slash commands in gateway_voice.cpp).

#include <caf/all.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "actors/transport/discord/commands.hpp"
#include "actors/transport/discord/discord_gateway.hpp"
#include "actors/transport/discord/gateway_memory.hpp"
#include "actors/transport/discord/rest_client.hpp"
#include "runtime/common/child_set.hpp"
#include "runtime/net/wss_client.hpp"

namespace parley::discord {

// REST calls off the actor's thread, one at a time, in order.
class rest_worker {
 public:
  explicit rest_worker(std::shared_ptr<rest_client> rest);
  ~rest_worker();
  rest_worker(const rest_worker&) = delete;
  rest_worker& operator=(const rest_worker&) = delete;
  void post(std::function<void(rest_client&)> job);

 private:
  std::shared_ptr<rest_client> rest_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(rest_client&)>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

struct gateway_state {
  discord_settings cfg;
  std::shared_ptr<gateway_memory> mem;
  std::unique_ptr<net::wss_client> ws;
  std::uint64_t gen = 0;
  std::optional<runtime::child_set> voices;
  std::map<std::string, runtime::actor_id> voice_ids;  // guild -> discord_voice
  std::unique_ptr<rest_worker> rest;
  std::deque<std::string> held;  // over the send limit, sent as the window frees
  caf::actor tree;
  discord_metrics* metrics = nullptr;
  runtime::readiness* ready = nullptr;
  static inline const char* name = "discord_gateway";
};
using gateway_actor = caf::stateful_actor<gateway_state>;

// discord_gateway.cpp
void send_gateway(gateway_actor* self, const std::string& payload, bool heartbeat = false);

// gateway_voice.cpp
void on_dispatch(gateway_actor* self, const std::string& event, const std::string& data);
void on_voice_ended(gateway_actor* self, runtime::actor_id id, const std::string& reason);
void restart_voices(gateway_actor* self);
void on_empty_check(gateway_actor* self, const std::string& guild);
void schedule_empty_check(gateway_actor* self, const std::string& guild);

}  // namespace parley::discord
