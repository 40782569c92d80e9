#include "actors/transport/websocket/client_message.hpp"

#include <nlohmann/json.hpp>

namespace parley::transport {
namespace {

using nlohmann::json;
constexpr std::size_t max_text_chars = 2000;

client_message invalid(std::string code, std::string message, std::uint16_t close = 0) {
  client_message m;
  m.code = std::move(code);
  m.message = std::move(message);
  m.close = close;
  return m;
}

// value() throws on a present key of another type; a client's mistake must
// only ever become an error message.
template <typename T>
T field(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->template get<std::string>() : fallback;
  } else {
    return it->is_number_integer() ? it->template get<T>() : fallback;
  }
}

client_message hello(const json& j) {
  const bool ok = field<std::string>(j, "codec", "") == "opus" &&
                  field<long>(j, "sample_rate", 0) == 48000 && field<long>(j, "channels", 0) == 1 &&
                  field<long>(j, "frame_ms", 0) == 20;
  if (!ok)
    return invalid("unsupported_format",
                   "only opus, 48000 Hz, 1 channel, 20 ms frames are supported", 1003);
  client_message m;
  m.what = client_message::kind::hello;
  // A token from an earlier `ready`: resume what that connection missed.
  m.text = field<std::string>(j, "resume", "");
  if (m.text.size() > 64) return invalid("protocol", "resume must be the token from ready");
  const auto received = field<long>(j, "received", 0);
  if (received < 0) return invalid("protocol", "received must be a count");
  m.received = static_cast<std::uint64_t>(received);
  return m;
}

client_message text(const json& j) {
  auto t = field<std::string>(j, "text", "");
  if (t.empty() || t.size() > max_text_chars)
    return invalid("protocol", "text must hold 1 to 2000 characters");
  client_message m;
  m.what = client_message::kind::text;
  m.text = std::move(t);
  return m;
}

}  // namespace

client_message parse_client_message(std::string_view payload) {
  const json j = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return invalid("bad_json", "a text message must be a JSON object");
  const auto type = field<std::string>(j, "type", "");
  if (type == "hello") return hello(j);
  if (type == "text") return text(j);
  return invalid("unknown_type", "unknown message type '" + type.substr(0, 64) + "'");
}

}  // namespace parley::transport
