#pragma once

#include "actors/agent/agent_engine.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace parley::agent {

struct openai_config {
  std::string base_url = "https://api.openai.com/v1";  // ends in /v1; no trailing slash needed
  std::string model = "gpt-4o-mini";
  std::string api_key;  // sent only in the Authorization header; never in returned strings
  std::string system_prompt =
      "You are a voice assistant. Your replies are spoken aloud: answer in one to three short "
      "sentences of plain text, without lists, markdown or emoji.";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{30000};  // whole request, first byte to last
};

// Chat completions of any OpenAI-compatible server, streamed: POST {base_url}/chat/completions
// with stream:true, and each delta goes to on_text as it arrives. Messages sent: the system
// prompt (when not empty), the history, then the transcript as the user's turn.
// respond() blocks; concurrent calls from several threads are safe. Idle connections are kept
// for reuse by later calls (no new TLS handshake per turn).
class openai_agent final : public agent_engine {
 public:
  explicit openai_agent(openai_config config);
  ~openai_agent() override;
  openai_agent(const openai_agent&) = delete;
  openai_agent& operator=(const openai_agent&) = delete;

  std::string name() const override;  // "openai"
  // Errors ("openai: ..."): timeouts, connection failures, HTTP status with the provider's
  // error message, errors reported inside the stream, a stream that ends early. A cancel from
  // on_text aborts the transfer and returns an empty optional. Exceptions from on_text propagate.
  std::optional<std::string> respond(const agent_request& req, const text_sink& on_text) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::agent
