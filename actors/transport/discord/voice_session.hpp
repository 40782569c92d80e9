#pragma once
// One Discord voice connection's gateway (voice gateway v8) as a state
// machine with no socket and no clock, like `gateway_session`: hello →
// identify (or resume with seq_ack) → ready (SSRC, UDP address, modes) →
// the caller's IP discovery → select protocol → session description (mode
// and key). It keeps the SSRC → user map from speaking events and the set
// of users in the channel from client connect/disconnect, and says what a
// close code means.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/transport/discord/ip_discovery.hpp"
#include "actors/transport/discord/transport_cipher.hpp"

namespace parley::discord {

// DAVE (Discord's end-to-end encryption, on MLS) protocol version 1 is
// offered in identify; Discord requires it for voice and closes a client
// without it with 4017.
constexpr int max_dave_protocol_version = 1;

// What the main gateway's VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE gave.
struct voice_join {
  std::string guild_id, channel_id, user_id, session_id, token, endpoint;
};

struct voice_message {
  enum class kind {
    ready,
    session_description,
    speaking,
    heartbeat_ack,
    hello,
    resumed,
    clients_connect,
    client_disconnect,
    dave_prepare_transition,  // 21
    dave_execute_transition,  // 22
    dave_prepare_epoch,       // 24
    unknown
  };
  kind what = kind::unknown;
  int op = -1;
  std::optional<std::int64_t> seq;
  std::chrono::milliseconds heartbeat_interval{0};  // hello
  std::uint32_t ssrc = 0;                           // ready, speaking
  std::string ip;                                   // ready
  std::uint16_t port = 0;                           // ready
  std::vector<std::string> modes;                   // ready
  std::string mode;                                 // session description
  secret_key key{};                                 // session description
  int dave_protocol_version = 0;                    // session description
  std::vector<std::string> user_ids;                // speaking, connect, disconnect
  int transition_id = 0;                            // dave 21, 22
  int protocol_version = 0;                         // dave 21, 24
  std::uint64_t epoch = 0;                          // dave 24
};
// Reads one voice gateway text frame; nullopt (and `error`) for anything
// that is not a well-formed one (a key of the wrong length, a port out of
// range…). Unknown opcodes decode to kind::unknown, to be ignored.
std::optional<voice_message> decode_voice(const std::string& text, std::string* error = nullptr);

// After the voice connection closed: what next.
enum class voice_step {
  resume,  // reconnect and resume with seq_ack
  rejoin,  // the session is gone: ask the main gateway for a new one
  leave,   // kicked, channel gone, or a protocol Parley cannot speak: stay out
};
const char* to_string(voice_step s);
struct voice_close_meaning {
  voice_step step = voice_step::resume;
  std::string why;
};
voice_close_meaning meaning_of_voice_close(int code);

class voice_session {
 public:
  using clock = std::chrono::steady_clock;
  enum class phase { connecting, identified, discovering, selecting, ready };

  explicit voice_session(voice_join join);

  // Hello: identify, or resume once a session was established.
  std::string on_hello(std::chrono::milliseconds interval, clock::time_point now);
  void on_message(const voice_message& m, clock::time_point now);
  // A binary (DAVE) frame's sequence number counts for seq_ack like a text
  // message's.
  void on_binary_sequence(std::uint16_t seq);
  // After ready: the IP discovery the caller sends over UDP.
  std::optional<std::uint32_t> ssrc() const { return ssrc_; }
  const std::string& udp_ip() const { return udp_ip_; }
  std::uint16_t udp_port() const { return udp_port_; }
  // The discovered address answered: the select protocol payload, or
  // nullopt when the server offered no mode Parley speaks.
  std::optional<std::string> select_protocol(const discovered_address& a);
  // The heartbeat (with seq_ack); nullopt for a zombie connection.
  std::optional<std::string> on_heartbeat_due(clock::time_point now);
  clock::time_point next_heartbeat() const { return next_heartbeat_; }
  std::optional<std::chrono::milliseconds> latency() const { return latency_; }
  std::string speaking(bool on) const;
  voice_step on_close(int code);

  phase current() const { return phase_; }
  const std::string& mode() const { return mode_; }
  const secret_key& key() const { return key_; }
  std::int64_t seq_ack() const { return seq_ack_; }
  // The user an SSRC speaks for, once a speaking event said so.
  std::optional<std::string> user_of(std::uint32_t ssrc) const;
  const std::set<std::string>& users() const { return users_; }
  const voice_join& join() const { return join_; }
  void move_to(voice_join join);  // a voice server or channel change

 private:
  std::string identify() const;
  std::string resume() const;

  voice_join join_;
  phase phase_ = phase::connecting;
  bool established_ = false;  // a session description arrived once: resumable
  std::chrono::milliseconds interval_{0};
  clock::time_point next_heartbeat_{}, heartbeat_sent_{};
  bool awaiting_ack_ = false;
  std::optional<std::chrono::milliseconds> latency_;
  std::int64_t seq_ack_ = -1;
  std::optional<std::uint32_t> ssrc_;
  std::string udp_ip_;
  std::uint16_t udp_port_ = 0;
  std::vector<std::string> modes_;
  std::string mode_;
  secret_key key_{};
  std::map<std::uint32_t, std::string> speakers_;
  std::set<std::string> users_;
};

}  // namespace parley::discord
