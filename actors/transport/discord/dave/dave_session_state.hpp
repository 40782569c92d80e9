#pragma once
// Inside dave_session: its state, shared by the opcode side
// (dave_session.cpp) and the MLS side (dave_group.cpp).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "actors/transport/discord/dave/dave_opcodes.hpp"
#include "actors/transport/discord/dave/dave_session.hpp"
#include "actors/transport/discord/dave/frame_cipher.hpp"
#include "actors/transport/discord/mls/group.hpp"

namespace parley::dave {

using clock = std::chrono::steady_clock;

struct pending_transition {
  int id = 0;
  int protocol_version = 0;
};

struct dave_session::impl {
  std::string user_id;
  std::uint64_t user = 0;
  mls::bytes group_id;  // the channel id, 8 bytes big-endian
  logger log;

  int protocol = 0;   // the executed protocol version
  int announced = 0;  // the version the gateway last announced
  std::optional<pending_transition> pending;
  std::set<std::string> recognized;  // users the voice gateway says are here

  std::optional<external_sender_package> external;
  std::optional<mls::member_key_package> own_package;
  // Our group of one at epoch 0 until a commit or a Welcome establishes the
  // call's group (whitepaper "Initial Group Creation").
  std::optional<mls::group> local;
  std::optional<mls::group> group;  // established: epoch 1 and on
  std::optional<mls::bytes> own_commit;

  frame_encryptor encryptor;
  std::map<std::string, frame_decryptor> decryptors;
  session_stats stats;
  std::string privacy_code;

  mls::group* target() {
    if (group) return &*group;
    return local ? &*local : nullptr;
  }
};

// dave_group.cpp: the MLS side. Each returns the frames to send.
std::vector<outbound> send_key_package(dave_session::impl& s);
std::vector<outbound> resend_key_package(const dave_session::impl& s);
void make_local_group(dave_session::impl& s);
std::vector<outbound> handle_proposals(dave_session::impl& s, const mls::bytes& payload);
// 29 and 30: true when the group moved to a new epoch.
bool handle_commit(dave_session::impl& s, const mls::bytes& message);
bool handle_welcome(dave_session::impl& s, const mls::bytes& message);
void reset_group(dave_session::impl& s);
// After a new epoch: every other member's receive keys (the old ones stay
// usable for frames in flight).
void refresh_receive_keys(dave_session::impl& s);
key_ratchet ratchet_for(const mls::group& g, std::uint64_t user);

}  // namespace parley::dave
