#include "actors/agent/chat_stream.hpp"

#include <nlohmann/json.hpp>

namespace parley::agent {
namespace {

using json = nlohmann::json;

std::optional<json> parse_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string error_message_of(const json& j) {
  if (!j.is_object() || !j.contains("error")) return {};
  const json& e = j["error"];
  if (e.is_string()) return e.get<std::string>();
  if (e.is_object() && e.contains("message") && e["message"].is_string())
    return e["message"].get<std::string>();
  return "unspecified error";
}

}  // namespace

chat_chunk parse_chat_chunk(std::string_view data) {
  chat_chunk out;
  if (data == "[DONE]") {
    out.what = chat_chunk::kind::done;
    return out;
  }
  const auto j = parse_json(data);
  if (!j || !j->is_object()) {
    out.what = chat_chunk::kind::error;
    out.text = "malformed stream event";
    return out;
  }
  if (auto message = error_message_of(*j); !message.empty()) {
    out.what = chat_chunk::kind::error;
    out.text = std::move(message);
    return out;
  }
  // Role-only, tool-call and usage-only chunks carry no text: they stay kind::other.
  const auto choices = j->find("choices");
  if (choices == j->end() || !choices->is_array() || choices->empty()) return out;
  const json& choice = choices->front();
  if (choice.contains("finish_reason") && !choice["finish_reason"].is_null()) out.finished = true;
  const auto delta = choice.find("delta");
  if (delta == choice.end() || !delta->is_object()) return out;
  const auto content = delta->find("content");
  if (content != delta->end() && content->is_string() &&
      !content->get_ref<const std::string&>().empty()) {
    out.what = chat_chunk::kind::text;
    out.text = content->get<std::string>();
  }
  return out;
}

std::string provider_error_message(std::string_view body) {
  const auto j = parse_json(body);
  return j ? error_message_of(*j) : std::string();
}

std::optional<std::string> completion_content(std::string_view body) {
  const auto j = parse_json(body);
  if (!j || !j->is_object()) return std::nullopt;
  const auto choices = j->find("choices");
  if (choices == j->end() || !choices->is_array() || choices->empty()) return std::nullopt;
  const json& choice = choices->front();
  if (!choice.contains("message") || !choice["message"].is_object()) return std::nullopt;
  const json& message = choice["message"];
  if (!message.contains("content") || !message["content"].is_string()) return std::nullopt;
  return message["content"].get<std::string>();
}

bool chat_stream::feed(std::string_view bytes, const text_sink& on_text) {
  if (done_ || cancelled_ || error_) return false;
  return parser_.feed(bytes, [&](const sse_event& ev) { return on_event(ev, on_text); });
}

bool chat_stream::on_event(const sse_event& ev, const text_sink& on_text) {
  if (ev.type == "error") {  // some compatible servers name the event instead
    const auto message = provider_error_message(ev.data);
    error_ = message.empty() ? ev.data : message;
    return false;
  }
  chat_chunk chunk = parse_chat_chunk(ev.data);
  finished_ = finished_ || chunk.finished;
  switch (chunk.what) {
    case chat_chunk::kind::done:
      done_ = true;
      return false;
    case chat_chunk::kind::error:
      error_ = std::move(chunk.text);
      return false;
    case chat_chunk::kind::text:
      if (!on_text(chunk.text)) {
        cancelled_ = true;
        return false;
      }
      return true;
    case chat_chunk::kind::other:
      break;
  }
  return true;
}

}  // namespace parley::agent
