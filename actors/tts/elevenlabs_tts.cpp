#include "actors/tts/elevenlabs_tts.hpp"

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <utility>

namespace parley::tts {
namespace {

// A voice id is a path segment: anything but unreserved characters is escaped.
std::string path_segment(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace

elevenlabs_tts_engine::elevenlabs_tts_engine(elevenlabs_tts_config config,
                                             std::shared_ptr<http::provider_status> status)
    : config_(std::move(config)),
      client_("elevenlabs", config_.api_key, config_.limits, std::move(status)) {
  std::string base = config_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  url_ = base + "/v1/text-to-speech/" + path_segment(config_.voice) +
         "/stream?output_format=pcm_24000";
}

bool elevenlabs_tts_engine::synthesize(const std::string& sentence,
                                       const std::function<bool(const int16_t*, size_t)>& sink) {
  remote_tts_request r;
  r.url = url_;
  r.json_body = nlohmann::json{{"text", sentence}, {"model_id", config_.model}}.dump();
  r.headers.push_back("xi-api-key: " + config_.api_key);
  return client_.stream(r, sink);
}

}  // namespace parley::tts
