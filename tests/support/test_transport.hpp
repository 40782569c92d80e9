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

class test_member {
 public:
  struct inbox;
  // `tree`: any supervisor of the tree (the root will do): the member finds
  // the sessions supervisor through it.
  test_member(caf::actor_system& sys, caf::actor tree, std::string guild, std::string user);
  ~test_member();
  test_member(const test_member&) = delete;
  test_member& operator=(const test_member&) = delete;

  bool wait_joined(std::chrono::milliseconds limit);
  void send_audio(messages::bytes opus);  // numbered by the member
  void type(const std::string& text);
  void leave();

  std::vector<messages::session_event> events() const;
  std::size_t reply_frames() const;
  std::uint64_t unacked() const;  // frames kept for a replay
  // Until `done(events)` holds; false after `limit`.
  bool wait_until(const std::function<bool(const std::vector<messages::session_event>&)>& done,
                  std::chrono::milliseconds limit) const;
  const caf::actor& actor() const { return member_; }

 private:
  std::shared_ptr<inbox> in_;
  caf::actor member_;
};

// The index of the first event of `type` (and `turn`, when not 0), or -1.
long find_event(const std::vector<messages::session_event>& evs, messages::event_type type,
                std::uint64_t turn = 0);

}  // namespace parley::test
