#pragma once
// One voice connection's side of DAVE (the dave-protocol whitepaper) as a
// state machine with no socket: the voice gateway's DAVE
// opcodes go in, the frames to send back come out, and media frames are
// encrypted for the current epoch and decrypted per sender.
//
//   session description (version 1) ──► key package (26), pending group
//   25 external sender ──────────────► pending group can be made
//   27 proposals ────────────────────► commit (+ welcome) (28)
//   29 commit / 30 welcome ──────────► new epoch; ready (23), or invalid (31)
//                                       and a fresh key package (26)
//   21 prepare / 22 execute ─────────► senders switch to the new epoch
//   24 prepare epoch 1 ──────────────► group reset, fresh key package
//
// It lives beside the voice session (outside the actor), so a killed and
// restarted connection keeps its group and resumes without rejoining.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace parley::dave {

using frame = std::vector<std::uint8_t>;

// A frame for the voice gateway: binary (a DAVE opcode) or JSON text.
struct outbound {
  bool binary = false;
  std::string payload;
};

struct session_stats {
  std::uint64_t encrypted = 0, decrypted = 0, decrypt_failures = 0, passthroughs = 0;
  std::uint64_t commits = 0, welcomes = 0, invalid = 0, transitions = 0;
};

class dave_session {
 public:
  // Reasons for a rejected message, for the caller's log.
  using logger = std::function<void(const std::string& what, const std::string& why)>;

  dave_session(std::string user_id, std::string channel_id, logger log);
  ~dave_session();
  dave_session(const dave_session&) = delete;
  struct impl;
  dave_session& operator=(const dave_session&) = delete;

  // The session description's dave_protocol_version (0: transport only).
  std::vector<outbound> on_protocol(int version);
  // A binary frame from the voice gateway, sequence number already taken.
  std::vector<outbound> on_binary(int opcode, const std::uint8_t* payload, std::size_t size);
  std::vector<outbound> on_prepare_transition(int transition_id, int protocol_version);
  std::vector<outbound> on_execute_transition(int transition_id);
  std::vector<outbound> on_prepare_epoch(int protocol_version, std::uint64_t epoch);
  // The voice gateway resumed the session: what was sent while the socket
  // was down is lost, so a member still waiting to be added offers its key
  // package again (the gateway takes the newest).
  std::vector<outbound> on_resumed();
  // Who the voice gateway says is in the call (11, 13): an Add for anyone
  // else is refused.
  void users_connected(const std::vector<std::string>& users);
  void user_disconnected(const std::string& user);

  // Media: encrypted for the executed epoch, or unchanged while DAVE is
  // off. Nullopt (dropped, counted) while DAVE is on and the call's group
  // is not ready yet: media never leaves unencrypted by accident.
  std::optional<frame> encrypt(const frame& opus);
  // Nullopt when the frame does not decrypt (counted).
  std::optional<frame> decrypt(const std::string& user, const frame& data);

  int protocol_version() const;
  std::optional<std::uint64_t> epoch() const;
  // The voice privacy code: the epoch authenticator as 30 digits in groups
  // of five; empty while there is no group.
  std::string privacy_code() const;
  std::vector<std::string> members() const;
  const session_stats& stats() const;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::dave
