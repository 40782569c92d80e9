#pragma once

#include "actors/agent/agent_engine.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace parley::agent {

// The built-in agent: answers a handful of spoken commands without any network.
// Input is recogniser output (lower-case words, no punctuation, imperfect), so matching is by
// keywords, not exact phrases: "what time is it", "time please" and "the time" all ask the time.
//   help                      -> what the agent can do
//   time                      -> "It is 2:26 PM." (local time of the process; TZ respected)
//   date / day                -> "Today is Sunday, November 22, 2026."
//   status / uptime / session -> session count and uptime in words
//   repeat (after me) X       -> "X"
//   anything else             -> a fallback that mentions "help"
class command_agent final : public agent_engine {
 public:
  explicit command_agent(agent_facts facts = {});

  std::string name() const override;  // "command"
  // Calls on_text once with the whole answer; never fails.
  std::optional<std::string> respond(const agent_request& req, const text_sink& on_text) override;

  // The answer for one transcript.
  std::string answer(std::string_view transcript) const;
  // Whole: a question it answers (time, date, status, help). Unfinished:
  // "repeat" without the words to repeat.
  request_shape shape(std::string_view transcript) const override;

 private:
  std::string time_sentence() const;
  std::string date_sentence() const;
  std::string status_sentence() const;

  agent_facts facts_;
  std::chrono::steady_clock::time_point started_;  // uptime when facts_.uptime is empty
};

// Repeats the transcript; useful to test the pipeline without any agent logic.
class echo_agent final : public agent_engine {
 public:
  std::string name() const override;  // "echo"
  // Calls on_text once with the transcript (not at all when it is empty).
  std::optional<std::string> respond(const agent_request& req, const text_sink& on_text) override;
};

// "2 hours and 5 minutes", "1 day, 3 hours and 1 minute", "42 seconds": speakable.
// Seconds are only named below a minute.
std::string duration_in_words(std::chrono::seconds d);

}  // namespace parley::agent
