#pragma once
// Inside the discord_voice actor: its state and what its two translation
// units share (the connection itself in voice_connection.cpp; the audio,
// both ways, in voice_audio.cpp).

#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/transport/discord/jitter_buffer.hpp"
#include "actors/transport/discord/transport_cipher.hpp"
#include "actors/transport/discord/voice_connection.hpp"
#include "runtime/common/child_set.hpp"
#include "runtime/common/log.hpp"
#include "runtime/net/wss_client.hpp"

namespace parley::discord {

constexpr std::chrono::milliseconds frame_time{20};
constexpr int trailing_silence_frames = 5;  // what Discord asks after speech

// A speaker sends 50 packets a second; a burst after a network stall is
// allowed, a flood is not: beyond this rate packets are dropped and counted.
constexpr double flood_rate = 75;    // packets per second, sustained
constexpr double flood_burst = 100;  // packets at once

struct speaker {
  jitter_buffer buffer;
  std::string user;
  std::chrono::steady_clock::time_point last_packet;
  int silence_left = 0;  // frames of silence still to give while paused
  double allowance = flood_burst;
  std::chrono::steady_clock::time_point refilled;

  bool within_rate(std::chrono::steady_clock::time_point now) {
    const std::chrono::duration<double> since = now - refilled;
    refilled = now;
    allowance = std::min(flood_burst, allowance + since.count() * flood_rate);
    if (allowance < 1) return false;
    allowance -= 1;
    return true;
  }
};

struct connection_state {
  voice_connection_settings cfg;
  std::unique_ptr<net::wss_client> ws;
  std::unique_ptr<transport_cipher> cipher;
  std::uint64_t gen = 0;  // of the current WebSocket
  std::map<std::uint32_t, speaker> speakers;
  std::map<std::uint32_t, std::vector<std::pair<rtp_header, bytes>>> unmapped;
  std::optional<runtime::child_set> members;
  std::map<std::string, runtime::actor_id> member_ids;
  caf::actor_addr lead;  // every member gets the reply: the lead's copy is played
  bool speaking = false, ticking = false;
  std::chrono::steady_clock::time_point last_reply;
  int trailing_silence = 0;
  runtime::actor_registry* registry = nullptr;  // for the DAVE labels
  runtime::actor_id id = 0;
  static inline const char* name = "discord_voice";

  // The process's metrics, or the connection's own when none were given.
  std::unique_ptr<prometheus::Registry> own_registry;
  std::unique_ptr<discord_metrics> own_metrics;
  discord_metrics& metrics() { return *cfg.metrics; }
  voice_counters& counters() { return *cfg.counters; }

  voice_memory& mem() { return *cfg.memory; }
  voice_session& session() { return cfg.memory->session; }
};

using connection_actor = caf::stateful_actor<connection_state>;

// One event counted twice: in the connection's own counters (for /voice
// status and tests) and in the process's metrics.
inline void count(std::atomic<std::uint64_t>& mine, prometheus::Counter& metric,
                  std::uint64_t n = 1) {
  mine += n;
  metric.Increment(static_cast<double>(n));
}

// voice_connection.cpp
void say(connection_actor* self, runtime::log_level level, const std::string& msg,
         std::vector<log::field> extra = {});
void send_ws(connection_actor* self, const std::string& text);

// voice_dave.cpp: DAVE's opcodes and the media frames through it.
void dave_event(connection_actor* self, const voice_message& m);
void dave_binary(connection_actor* self, const std::string& data);
void dave_forget(connection_actor* self);  // a new voice server: a new group
// Nullopt while DAVE is on and the group not ready: the frame is not sent.
std::optional<bytes> dave_outgoing(connection_actor* self, bytes opus);
std::optional<bytes> dave_incoming(connection_actor* self, const std::string& user, bytes frame);

// voice_audio.cpp
void accept_frame(connection_actor* self, const rtp_header& h, const std::string& user, bytes opus);
void hold_unmapped(connection_actor* self, const rtp_header& h, bytes opus);
void release_unmapped(connection_actor* self, std::uint32_t ssrc);
void send_reply(connection_actor* self, bytes opus);
void tick(connection_actor* self);

}  // namespace parley::discord
