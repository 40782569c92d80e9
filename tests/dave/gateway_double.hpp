#pragma once
// The DAVE side of a voice gateway, as the whitepaper describes it, for
// driving dave_sessions in process: it is the group's external sender,
// proposes Adds and Removes, picks the first commit of an epoch, sends the
// commit and Welcomes on, and executes a transition once everyone is ready.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/transport/discord/dave/dave_session.hpp"
#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::dave::test {

class gateway_double {
 public:
  explicit gateway_double(std::uint64_t channel);

  // The client joins the call: it learns who is there, gets the external
  // sender, and its key package is taken; with a group to join, it is
  // proposed to the members.
  void join(const std::string& user, dave_session& session);
  void leave(const std::string& user);
  // Delivers everything in flight until nothing is left.
  void settle();

  std::uint64_t epoch() const { return epoch_; }
  std::size_t invalid_reports() const { return invalid_; }
  // The next Welcome sent is corrupted (one byte flipped).
  void corrupt_next_welcome() { corrupt_welcome_ = true; }
  // The last announced commit (29) as sent: for replaying it.
  const mls::bytes& last_announce() const { return last_announce_; }

 private:
  struct client {
    dave_session* session = nullptr;
    mls::bytes key_package;
    bool member = false;
    std::optional<std::uint32_t> leaf;
  };

  void take(const std::string& user, const std::vector<outbound>& frames);
  void on_binary(const std::string& user, const std::string& frame);
  void on_text(const std::string& user, const std::string& text);
  void propose_add(const std::string& user);
  void propose_remove(std::uint32_t leaf);
  void send_proposal(const mls::bytes& proposal_message);
  void on_commit(const std::string& user, const mls::bytes& payload);
  std::string binary(std::uint8_t op, const mls::bytes& payload);

  mls::bytes group_id_;
  mls::signature_key_pair key_;
  std::map<std::string, client> clients_;
  std::uint64_t epoch_ = 0;  // 0: no group established yet
  std::uint16_t seq_ = 0;
  int transition_ = 0;
  std::set<std::string> waiting_ready_;
  std::vector<std::string> pending_adds_;
  std::size_t proposals_in_epoch_ = 0;
  bool corrupt_welcome_ = false;
  std::size_t invalid_ = 0;
  mls::bytes last_announce_;
  std::vector<std::pair<std::string, outbound>> inbox_;  // from clients, in order
  std::vector<std::uint32_t> leaves_;                    // leaf slots in use
};

}  // namespace parley::dave::test
