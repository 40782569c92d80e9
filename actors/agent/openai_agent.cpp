#include "actors/agent/openai_agent.hpp"

#include "actors/agent/chat_stream.hpp"
#include "runtime/http/curl_handles.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <exception>
#include <stdexcept>
#include <utility>
#include <vector>

namespace parley::agent {
namespace {

constexpr std::size_t max_body_bytes = 4 << 20;  // non-streamed bodies: errors, plain JSON
using http::redact;

std::string request_body(const openai_config& config, const agent_request& req) {
  nlohmann::json messages = nlohmann::json::array();
  if (!config.system_prompt.empty())
    messages.push_back({{"role", "system"}, {"content", config.system_prompt}});
  for (const auto& turn : req.history)
    messages.push_back({{"role", turn.role}, {"content", turn.text}});
  messages.push_back({{"role", "user"}, {"content", req.transcript}});
  const nlohmann::json body{{"model", config.model}, {"stream", true}, {"messages", messages}};
  // Replace invalid UTF-8 (from anywhere in the history) rather than throw.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The state of one request, shared with libcurl's write callback.
struct transfer {
  CURL* curl = nullptr;
  const text_sink* on_text = nullptr;
  long status = 0;  // 0 until the first body byte
  bool streaming = false;
  chat_stream stream;
  std::string body;  // when not streaming
  bool too_large = false;
  std::exception_ptr sink_failure;  // thrown by on_text: rethrown to the caller
  std::string invalid;              // the response broke the parser (e.g. an oversized event)

  bool write(std::string_view bytes) {
    if (status == 0) start();
    if (!streaming) {
      too_large = body.size() + bytes.size() > max_body_bytes;
      if (too_large) return false;
      body.append(bytes);
      return true;
    }
    const text_sink guarded = [this](std::string_view text) {
      try {
        return (*on_text)(text);
      } catch (...) {
        sink_failure = std::current_exception();
        return false;
      }
    };
    return stream.feed(bytes, guarded) || stream.done();
  }

  void start() {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    const char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    streaming = status / 100 == 2 && type != nullptr &&
                std::string_view(type).rfind("text/event-stream", 0) == 0;
  }
};

extern "C" std::size_t on_curl_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<transfer*>(user);
  try {
    return t->write(std::string_view(data, size * count)) ? size * count : 0;
  } catch (const std::exception& e) {  // must not unwind through libcurl
    t->invalid = e.what();
    return 0;
  } catch (...) {
    t->invalid = "unknown exception";
    return 0;
  }
}

// curl_easy_perform, but a cancel wakes it (curl_multi_wakeup) and closes
// the connection at once: the provider stops generating (and billing) a
// reply nobody will hear.
CURLcode perform(CURL* c, runtime::cancel_token* cancel) {
  if (cancel == nullptr) return curl_easy_perform(c);
  CURLM* m = curl_multi_init();
  curl_multi_add_handle(m, c);
  cancel->set_waker([m] { curl_multi_wakeup(m); });
  CURLcode code = CURLE_OK;
  for (int running = 1; running > 0;) {
    if (cancel->cancelled()) {
      code = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    if (curl_multi_perform(m, &running) != CURLM_OK) {
      code = CURLE_FAILED_INIT;
      break;
    }
    if (running > 0) curl_multi_poll(m, nullptr, 0, 1000, nullptr);
  }
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(m, &left))
    if (msg->msg == CURLMSG_DONE) code = msg->data.result;
  cancel->set_waker(nullptr);
  curl_multi_remove_handle(m, c);
  curl_multi_cleanup(m);
  return code;
}

}  // namespace

struct openai_agent::impl {
  openai_config config;
  std::string url;
  http::handle_pool handles;

  std::optional<std::string> run(const agent_request& req, const text_sink& on_text);
  std::string outcome(CURLcode code, const char* curl_error, transfer& t) const;
};

std::optional<std::string> openai_agent::impl::run(const agent_request& req,
                                                   const text_sink& on_text) {
  transfer t;
  t.curl = handles.acquire();
  t.on_text = &on_text;
  const std::string body = request_body(config, req);
  const std::string auth = "Authorization: Bearer " + config.api_key;
  curl_slist* headers = nullptr;
  for (const char* h :
       {auth.c_str(), "Content-Type: application/json", "Accept: text/event-stream", "Expect:"})
    headers = curl_slist_append(headers, h);

  char curl_error[CURL_ERROR_SIZE] = {};
  CURL* c = t.curl;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_curl_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // signals and worker threads do not mix
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "parley-agent");
  const CURLcode code = perform(c, req.cancel.get());
  t.curl = nullptr;
  curl_slist_free_all(headers);
  if (t.status == 0) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.status);  // empty bodies
  // An aborted transfer leaves a half-read response on its connection: do not reuse that handle.
  handles.release(c, code == CURLE_OK);
  if (t.sink_failure) std::rethrow_exception(t.sink_failure);
  if (t.stream.cancelled() || (req.cancel && req.cancel->cancelled())) return std::nullopt;
  std::string error = outcome(code, curl_error, t);
  if (error.empty()) return std::nullopt;
  return redact("openai: " + error, config.api_key);
}

// Empty when the reply arrived in full; otherwise what went wrong (not yet redacted).
std::string openai_agent::impl::outcome(CURLcode code, const char* curl_error, transfer& t) const {
  if (t.stream.error()) return "the provider reported an error: " + *t.stream.error();
  if (!t.invalid.empty()) return "invalid response from " + url + ": " + t.invalid;
  if (code == CURLE_OPERATION_TIMEDOUT)
    return "timed out (connect limit " + std::to_string(config.connect_timeout.count()) +
           " ms, total limit " + std::to_string(config.total_timeout.count()) +
           " ms): " + curl_error;
  if (t.too_large)
    return "response from " + url + " is larger than " + std::to_string(max_body_bytes) + " bytes";
  if (code != CURLE_OK)
    return "request to " + url + " failed: " +
           (curl_error[0] != '\0' ? std::string(curl_error) : curl_easy_strerror(code));
  if (t.status / 100 != 2) {
    std::string message = provider_error_message(t.body);
    if (message.empty()) message = t.body.substr(0, 200);  // e.g. a proxy's HTML page
    return "HTTP " + std::to_string(t.status) + " from " + url +
           (message.empty() ? std::string() : ": " + message);
  }
  if (t.streaming) {
    if (t.stream.done() || t.stream.finished()) return {};
    return "the reply stream from " + url + " ended before it was complete";
  }
  // A server that ignored stream:true and answered with one JSON completion.
  if (const auto content = completion_content(t.body)) {
    if (!content->empty()) (*t.on_text)(*content);
    return {};
  }
  return "unexpected response from " + url + " (neither an event stream nor a completion)";
}

openai_agent::openai_agent(openai_config config) : impl_(std::make_unique<impl>()) {
  http::init_curl_once();
  impl_->config = std::move(config);
  std::string base = impl_->config.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  impl_->url = base + "/chat/completions";
}

openai_agent::~openai_agent() {}

std::string openai_agent::name() const {
  return "openai";
}

std::optional<std::string> openai_agent::respond(const agent_request& req,
                                                 const text_sink& on_text) {
  return impl_->run(req, on_text);
}

}  // namespace parley::agent
