#pragma once
// The Discord gateway (v10) session as a state machine, with no socket and
// no clock of its own: the caller feeds it what arrived and the time, and
// sends what it returns. It decides identify or resume, heartbeats (the
// first after a random fraction of the interval, as Discord asks), finds a
// zombie connection (a heartbeat not acknowledged before the next is due),
// and what a close code or an op 7 / op 9 means: resume, identify again, or
// stop for good. The bot token goes only into identify and resume payloads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace parley::discord {

// Intents Parley needs: GUILDS (1 << 0) and GUILD_VOICE_STATES (1 << 7).
constexpr std::uint32_t voice_intents = (1U << 0) | (1U << 7);

struct shard {
  std::uint32_t id = 0;
  std::uint32_t count = 1;
};

// What to do after the connection closed or was told to go.
enum class next_step {
  resume,    // reconnect to the resume URL and resume the session
  identify,  // reconnect and identify anew (after a short random wait)
  stop,      // fatal: a bad token, intents or shard; log why and stay down
};
const char* to_string(next_step s);

// The meaning of a gateway close code (Discord's table; anything else,
// including a dropped TCP connection, is worth a resume).
struct close_meaning {
  next_step step = next_step::resume;
  std::string why;
};
close_meaning meaning_of_close(int code);

// One message from the gateway, as far as the session cares.
struct gateway_message {
  enum class kind {
    dispatch,
    heartbeat_request,
    reconnect,
    invalid_session,
    hello,
    heartbeat_ack,
    unknown
  };
  kind what = kind::unknown;
  std::string event;  // a dispatch's t (READY, VOICE_STATE_UPDATE, …)
  std::string data;   // a dispatch's d, as JSON text
  std::optional<std::int64_t> seq;
  std::chrono::milliseconds heartbeat_interval{0};  // hello
  bool resumable = false;                           // invalid_session
};
// Reads one gateway text frame; nullopt (and `error`) when it is not a
// gateway payload (not JSON, no op, fields of the wrong type).
std::optional<gateway_message> decode_gateway(const std::string& text,
                                              std::string* error = nullptr);

class gateway_session {
 public:
  using clock = std::chrono::steady_clock;
  // A number in [0, 1): the heartbeat jitter. Injected so tests choose it.
  using random_fn = std::function<double()>;

  gateway_session(std::string token, shard s, random_fn random);

  // The connection opened and said hello: what to send first (identify, or
  // resume when a session exists), and when the first heartbeat is due.
  std::string on_hello(std::chrono::milliseconds interval, clock::time_point now);
  // A message arrived. Returns what to send at once, if anything (an
  // immediate heartbeat the gateway asked for).
  std::optional<std::string> on_message(const gateway_message& m, clock::time_point now);
  // The heartbeat is due. The payload to send; nullopt when the last one
  // was never acknowledged: a zombie connection, to be closed and resumed.
  std::optional<std::string> on_heartbeat_due(clock::time_point now);
  clock::time_point next_heartbeat() const { return next_heartbeat_; }
  // The gateway's round trip, from the last heartbeat to its ack.
  std::optional<std::chrono::milliseconds> latency() const { return latency_; }

  // The connection ended with `code` (or was told to reconnect): what next.
  // Identifying again forgets the session.
  next_step on_close(int code);
  // op 7 and op 9 decide it themselves; the caller closes and asks this.
  std::optional<next_step> pending() const { return pending_; }

  bool has_session() const { return !session_id_.empty(); }
  const std::string& resume_url() const { return resume_url_; }
  std::optional<std::int64_t> seq() const { return seq_; }

 private:
  std::string identify() const;
  std::string resume() const;
  std::string heartbeat() const;
  void forget_session();

  std::string token_;
  shard shard_;
  random_fn random_;
  std::chrono::milliseconds interval_{0};
  clock::time_point next_heartbeat_{};
  clock::time_point heartbeat_sent_{};
  bool awaiting_ack_ = false;
  std::optional<std::chrono::milliseconds> latency_;
  std::optional<std::int64_t> seq_;
  std::string session_id_, resume_url_;
  std::optional<next_step> pending_;
};

}  // namespace parley::discord
