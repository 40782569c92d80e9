#pragma once
// Who is in a guild's room, and what was sent to each member, so that a
// member whose connection ended gets everything it missed when it comes
// back. Membership is held here and nowhere else.
//
// Each member has a resume token and a log: the events and reply audio
// packets sent to it under that token, counted, the last of them kept. A
// client that reconnects within the rejoin grace with its token and the
// count it received is sent the rest, in order. Errors are of the moment
// and are neither logged nor counted.
//
// Two ways to be missing: after a session restart everyone who was in the
// room is *away* until they rejoin (reply audio waits for them); a member
// whose connection ended is *dropped* for the rejoin grace (the room's reply
// goes on, and their log keeps what they miss).

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "messages/transport.hpp"
#include "runtime/common/registry.hpp"

namespace parley::session {

// One item sent to the room: an event or a reply audio packet. Every log
// holds the same item, not a copy of it.
using missed = std::shared_ptr<const std::variant<messages::session_event, messages::bytes>>;

struct member_log {
  std::string token;
  std::uint64_t sent = 0;     // items sent under this token
  std::deque<missed> recent;  // the last of them
};

// The part of the room that outlives a session's incarnation (it lives in
// session_memory).
struct room_memory {
  std::map<std::string, member_log> logs;  // everyone known: present, away or dropped
  std::set<std::string> away;              // not back since a restart
  std::set<std::string> dropped;           // connection ended, within the grace
};

struct member {
  caf::actor client;
  runtime::actor_id stream = 0;
  std::optional<std::uint64_t> open;  // the turn of the utterance being spoken
};

class room {
 public:
  // Items kept per member: 30 s of reply audio at 50 packets a second, more
  // than a phone changing networks takes to reconnect. The items are shared:
  // a room holds each once (~150 KB), each member 1 500 pointers.
  static constexpr std::size_t kept = 1500;

  explicit room(room_memory& mem) : mem_(mem) {}

  // A new session incarnation: everyone who was in the room is away until
  // they rejoin. True when anyone is.
  bool expect_everyone_back();

  struct join_result {
    std::string token;               // the member's resume token
    std::vector<missed> owed;        // to send before anything else
    std::optional<member> previous;  // the same user's member before this join (its stream stops)
    bool replaced = false;           // ... and it was another connection (it is told)
  };
  // `resume` and `received`: the token the client had and how many items it
  // got under it; a match sends it the rest.
  join_result join(const std::string& user, const caf::actor& client, const std::string& resume,
                   std::uint64_t received);

  // The member's connection ended: kept for a resume. Returns the member
  // that was present (to stop its stream) and its token.
  std::optional<std::pair<member, std::string>> drop(const std::string& user);
  // The grace passed: true when the member under `token` was still dropped.
  bool expire(const std::string& user, const std::string& token);
  // Those away since a restart who are not back in time have left.
  void give_up_on_away();

  // Logs an item for everyone in the room (the caller sends it to those
  // present).
  void log(messages::session_event e);
  void log(messages::bytes opus);

  bool waiting_for_rejoin() const { return !mem_.away.empty(); }
  bool empty() const { return present_.empty() && mem_.away.empty() && mem_.dropped.empty(); }
  std::map<std::string, member>& present() { return present_; }
  member* find(const std::string& user);
  std::optional<std::string> user_of(const caf::actor_addr& client) const;
  // The dropped members and their tokens (a new incarnation re-arms their grace).
  std::vector<std::pair<std::string, std::string>> dropped() const;

 private:
  void append(const missed& item);
  static std::string new_token();

  room_memory& mem_;
  std::map<std::string, member> present_;
};

}  // namespace parley::session
