#include "actors/tts/openai_tts.hpp"

#include <nlohmann/json.hpp>
#include <utility>

namespace parley::tts {

openai_tts_engine::openai_tts_engine(openai_tts_config config,
                                     std::shared_ptr<http::provider_status> status)
    : config_(std::move(config)),
      client_("openai", config_.api_key, config_.limits, std::move(status)) {
  std::string base = config_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  url_ = base + "/audio/speech";
}

bool openai_tts_engine::synthesize(const std::string& sentence,
                                   const std::function<bool(const int16_t*, size_t)>& sink) {
  remote_tts_request r;
  r.url = url_;
  r.json_body = nlohmann::json{
      {"model", config_.model},
      {"input", sentence},
      {"voice", config_.voice},
      {"response_format",
       "pcm"}}.dump();
  // Self-hosted OpenAI-compatible servers often take no key: send none then.
  if (!config_.api_key.empty()) r.headers.push_back("Authorization: Bearer " + config_.api_key);
  return client_.stream(r, sink);
}

}  // namespace parley::tts
