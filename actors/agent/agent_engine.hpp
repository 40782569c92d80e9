#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/cancel_token.hpp"

namespace parley::agent {

// One remembered exchange; role is "user" or "assistant" (the chat-completions roles).
struct chat_turn {
  std::string role;
  std::string text;
};

struct agent_request {
  std::string guild;
  std::string user;
  std::string transcript;
  std::vector<chat_turn> history;  // short per-guild memory, oldest first
  // Set when the reply is no longer wanted (barge-in, a stopped job): an
  // engine waiting on the network stops at once and returns no error.
  std::shared_ptr<runtime::cancel_token> cancel;
};

// Receives reply text as it arrives (pieces may split words); returning false cancels.
using text_sink = std::function<bool(std::string_view)>;

// What an agent makes of the words heard so far, before the turn ends.
enum class request_shape { unsure, whole, unfinished };

// Turns a final transcript into a streamed reply. respond() may block (network), so callers run
// it on a worker thread, never on the actor scheduler.
class agent_engine {
 public:
  virtual ~agent_engine() = default;
  virtual std::string name() const = 0;
  // Returns an error message on failure, an empty optional on success. A cancel (on_text
  // returned false) is not a failure: it also returns an empty optional.
  virtual std::optional<std::string> respond(const agent_request& req,
                                             const text_sink& on_text) = 0;
  // Whether these words already make a whole request to this agent (the end
  // of turn need not wait) or one it knows is unfinished. Cheap and thread-safe.
  virtual request_shape shape(std::string_view /*transcript*/) const {
    return request_shape::unsure;
  }
};

// What the command agent may report about the process; injected so tests control time.
// Any function left empty falls back to a sensible default (see command_agent).
struct agent_facts {
  std::function<std::size_t()> sessions;
  std::function<std::chrono::seconds()> uptime;
  std::function<std::chrono::system_clock::time_point()> now;
};

}  // namespace parley::agent
