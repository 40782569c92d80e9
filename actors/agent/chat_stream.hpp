#pragma once

#include "actors/agent/agent_engine.hpp"
#include "actors/agent/sse_parser.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace parley::agent {

// What one "data:" payload of an OpenAI-style chat-completions stream says.
struct chat_chunk {
  enum class kind { text, done, error, other };
  kind what = kind::other;
  std::string text;       // the delta (text) or the provider's message (error)
  bool finished = false;  // choices[0].finish_reason was set
};

// Parses one event payload: a chat.completion.chunk JSON, "[DONE]", or {"error": {...}}.
// Malformed JSON is reported as kind::error.
chat_chunk parse_chat_chunk(std::string_view data);

// error.message of an OpenAI-style error body (or a plain "error" string); empty when absent.
std::string provider_error_message(std::string_view body);

// choices[0].message.content of a non-streamed chat completion; nullopt when absent.
std::optional<std::string> completion_content(std::string_view body);

// Turns the bytes of a streamed chat completion into text pieces, as they arrive.
class chat_stream {
 public:
  // Returns false once the stream should stop: on_text cancelled, the provider reported an
  // error, or [DONE] arrived.
  bool feed(std::string_view bytes, const text_sink& on_text);

  bool done() const { return done_; }            // [DONE] seen
  bool finished() const { return finished_; }    // a finish_reason seen
  bool cancelled() const { return cancelled_; }  // on_text returned false
  const std::optional<std::string>& error() const { return error_; }

 private:
  bool on_event(const sse_event& ev, const text_sink& on_text);

  sse_parser parser_;
  bool done_ = false;
  bool finished_ = false;
  bool cancelled_ = false;
  std::optional<std::string> error_;
};

}  // namespace parley::agent
