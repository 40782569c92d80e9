#pragma once
// discord_voice: one guild's voice connection. It speaks the voice gateway
// (v8, over TLS) and the UDP media path, puts each speaker's packets back
// in order, hands them to that person's discord_member (its children), and
// sends the reply audio into the channel: paced as the session paces it,
// with speaking on before and five frames of silence after. The voice
// session (SSRC, key, seq_ack, RTP counters) lives in `memory`, which
// outlives the actor: a connection killed and restarted resumes the
// session instead of identifying again.

#include <atomic>
#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/transport/discord/dave/dave_session.hpp"
#include "actors/transport/discord/discord_metrics.hpp"
#include "actors/transport/discord/voice_session.hpp"
#include "runtime/common/supervisor.hpp"

namespace parley::discord {

class udp_link;

// Where the UDP socket's datagrams go: the connection's current incarnation.
struct udp_target {
  std::mutex mutex;
  caf::actor_addr actor;
};

struct voice_memory {
  explicit voice_memory(voice_join j) : session(std::move(j)) {}
  voice_session session;
  // The socket outlives a killed connection too: Discord knows the client
  // by the address it selected, and a resume does not select again.
  std::shared_ptr<udp_link> udp;
  std::shared_ptr<udp_target> target = std::make_shared<udp_target>();
  std::uint16_t rtp_seq = 0;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t nonce = 0;
  // The call's DAVE group and media keys: kept across a killed connection
  // like the session, so a resume keeps the epoch.
  std::unique_ptr<dave::dave_session> dave;
  dave::session_stats dave_counted;  // what the metrics have of its stats
};

// The DAVE side of a call as /voice status and the ops endpoint show it.
struct dave_status {
  int protocol_version = 0;
  std::optional<std::uint64_t> epoch;
  std::string privacy_code;
  std::size_t members = 0;
};

// Written by the connection, read by /voice status and tests.
struct voice_counters {
  std::atomic<std::uint64_t> packets_in{0}, packets_out{0}, lost{0}, decrypt_failures{0},
      unknown_ssrc{0}, flooded{0}, resumes{0}, identifies{0}, unencryptable{0};

  // From the end of someone's speech to the first audio of the answer.
  void turn_answered(std::chrono::milliseconds latency);
  std::vector<std::chrono::milliseconds> last_turns() const;  // oldest first
  void set_dave(dave_status s);
  dave_status dave() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::chrono::milliseconds> last_turns_;
  dave_status dave_;
};

struct voice_connection_settings {
  std::shared_ptr<voice_memory> memory;
  std::string ca_file;  // trust for the voice endpoint's certificate; empty: the system's
  caf::actor tree;      // the way to the sessions supervisor
  // A speaker whose packets stop this long has paused: Discord clients send
  // nothing while quiet, and the core hears the pause as silence frames.
  std::chrono::milliseconds quiet_after{100};
  std::chrono::milliseconds silence_fill{1500};
  std::chrono::milliseconds reconnect_delay{250};
  std::shared_ptr<voice_counters> counters;  // optional
  discord_metrics* metrics = nullptr;        // optional
};

runtime::child_spec voice_connection_spec(voice_connection_settings settings);

}  // namespace parley::discord
