#pragma once
// The in-process test transport: a member of a room without sockets. It
// keeps the transport contract (messages/transport.hpp) exactly as the
// WebSocket transport does — finds the room through the tree, joins,
// numbers frames, replays what is not acknowledged to every new stream,
// rejoins a restarted session — and hands the test what the core sends.

#include <caf/all.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "messages/transport.hpp"

namespace parley::test {

// What a member that comes back says: its token and what it received.
struct resumption {
  std::string token;
  std::uint64_t received = 0;
};

class test_member {
 public:
  struct inbox;
  // `tree`: any supervisor of the tree (the root will do): the member finds
  // the sessions supervisor through it.
  // `resume`: an earlier member's, to get what it missed.
  test_member(caf::actor_system& sys, caf::actor tree, std::string guild, std::string user,
              resumption resume = {});
  ~test_member();
  test_member(const test_member&) = delete;
  test_member& operator=(const test_member&) = delete;

  bool wait_joined(std::chrono::milliseconds limit);
  void send_audio(messages::bytes opus);  // numbered by the member
  void type(const std::string& text);
  void leave();
  void kill();                     // as a connection dies: no leave, the session sees it end
  resumption resume_with() const;  // once joined: what a successor would say

  std::vector<messages::session_event> events() const;
  std::size_t reply_frames() const;
  std::uint64_t unacked() const;  // frames kept for a replay
  // Until `done(events, reply frames)` holds; false after `limit`. (`done`
  // runs under the member's lock: it must not call the member.)
  using progress =
      std::function<bool(const std::vector<messages::session_event>&, std::size_t frames)>;
  bool wait_until(const progress& done, std::chrono::milliseconds limit) const;
  const caf::actor& actor() const { return member_; }

 private:
  std::shared_ptr<inbox> in_;
  caf::actor member_;
};

// The index of the first event of `type` (and `turn`, when not 0), or -1.
long find_event(const std::vector<messages::session_event>& evs, messages::event_type type,
                std::uint64_t turn = 0);

}  // namespace parley::test
