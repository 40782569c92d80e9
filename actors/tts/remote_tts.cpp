#include "actors/tts/remote_tts.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "runtime/http/curl_handles.hpp"

namespace parley::tts {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t max_error_bytes = 16 * 1024;  // an error body: a message, never more
// How often a transfer with nothing arriving asks the sink whether the
// sentence is still wanted: a barge-in closes a stalled transfer this fast.
constexpr int poll_ms = 20;

// Multi handles, each keeping the connection cache of the transfers it ran:
// a driven multi (not curl_easy_perform) lets the wait be cut into poll_ms
// slices, and pooling it keeps the next sentence off a new TLS handshake.
class multi_pool {
 public:
  ~multi_pool() {
    for (CURLM* m : idle_) curl_multi_cleanup(m);
  }
  CURLM* acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        CURLM* m = idle_.back();
        idle_.pop_back();
        return m;
      }
    }
    CURLM* m = curl_multi_init();
    if (m == nullptr) throw http::provider_error("curl_multi_init failed", false);
    return m;
  }
  void release(CURLM* m) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(m);
  }

 private:
  std::mutex mutex_;
  std::vector<CURLM*> idle_;
};

// One transfer, as libcurl's callbacks see it.
struct transfer {
  CURL* easy = nullptr;
  const audio_sink* sink = nullptr;
  long status = 0;     // HTTP status, once the body starts
  bool audio = false;  // samples reached the sink
  bool fresh = false;  // bytes arrived since the last poll
  bool cancelled = false;
  std::optional<clock_type::time_point> last_byte;
  std::string error_body;  // a non-2xx answer, capped
  bool odd = false;        // a sample's low byte waits for its high byte
  unsigned char low = 0;
  std::vector<int16_t> samples;
  std::exception_ptr sink_error;
};

int16_t sample_of(unsigned char lo, unsigned char hi) {
  return static_cast<int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
}

// Little-endian bytes to samples; a chunk may split a sample.
bool deliver(transfer& t, const char* data, std::size_t n) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  t.samples.clear();
  std::size_t i = 0;
  if (t.odd && n > 0) {
    t.samples.push_back(sample_of(t.low, bytes[0]));
    t.odd = false;
    i = 1;
  }
  for (; i + 1 < n; i += 2) t.samples.push_back(sample_of(bytes[i], bytes[i + 1]));
  if (i < n) {
    t.low = bytes[i];
    t.odd = true;
  }
  if (t.samples.empty()) return true;
  t.audio = true;
  return (*t.sink)(t.samples.data(), t.samples.size());
}

void saw_bytes(transfer& t) {
  t.last_byte = clock_type::now();
  t.fresh = true;
}

// extern "C" names ignore namespaces: unique across the program.
extern "C" std::size_t on_tts_header(char*, std::size_t size, std::size_t count, void* user) {
  saw_bytes(*static_cast<transfer*>(user));
  return size * count;
}

// Runs inside libcurl (C): must not throw; returning short aborts the transfer.
extern "C" std::size_t on_tts_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  const std::size_t n = size * count;
  saw_bytes(t);
  if (t.status == 0) curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &t.status);
  if (t.status / 100 != 2) {
    if (t.error_body.size() < max_error_bytes)
      t.error_body.append(data, std::min(n, max_error_bytes - t.error_body.size()));
    return n;
  }
  try {
    if (deliver(t, data, n)) return n;
    t.cancelled = true;
  } catch (...) {
    t.sink_error = std::current_exception();
  }
  return 0;
}

// The provider's own words: OpenAI's error.message, ElevenLabs' detail
// (a {status, message} object, or FastAPI's list of validation errors).
std::string provider_message(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const auto& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  if (j.is_object() && j.contains("detail")) {
    const auto& d = j["detail"];
    if (d.is_string()) return d.get<std::string>();
    if (d.is_object() && d.contains("message") && d["message"].is_string())
      return d["message"].get<std::string>();
    if (d.is_array() && !d.empty() && d[0].is_object() && d[0].contains("msg") &&
        d[0]["msg"].is_string())
      return d[0]["msg"].get<std::string>();
  }
  return body.substr(0, 200);  // e.g. a proxy's HTML page
}

bool connection_failure(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_SEND_ERROR ||
         code == CURLE_GOT_NOTHING || code == CURLE_SSL_CONNECT_ERROR ||
         code == CURLE_OPERATION_TIMEDOUT;  // only the connect limit is libcurl's
}

// Why the loop gave up on a transfer that libcurl had not ended.
enum class gave_up { no, first_byte, stall, total };

}  // namespace

struct remote_tts_client::impl {
  http::handle_pool handles;
  multi_pool multis;
};

remote_tts_client::remote_tts_client(std::string provider, std::string secret,
                                     remote_tts_limits limits,
                                     std::shared_ptr<http::provider_status> status,
                                     http::retry_settings retry)
    : provider_(std::move(provider)),
      secret_(std::move(secret)),
      limits_(limits),
      status_(std::move(status)),
      retry_(retry),
      impl_(std::make_unique<impl>()) {
  http::init_curl_once();
}

remote_tts_client::~remote_tts_client() = default;

namespace {

// One attempt: the transfer driven in poll_ms slices until it ends, the sink
// cancels or a limit passes.
gave_up drive(CURLM* multi, transfer& t, const remote_tts_limits& limits,
              clock_type::time_point total_deadline) {
  static const int16_t none = 0;
  const auto sent = clock_type::now();
  for (;;) {
    int running = 0;
    curl_multi_perform(multi, &running);
    if (t.cancelled || t.sink_error || running == 0) return gave_up::no;
    const auto now = clock_type::now();
    if (now >= total_deadline) return gave_up::total;
    if (!t.last_byte && now - sent >= limits.first_byte) return gave_up::first_byte;
    if (t.last_byte && now - *t.last_byte >= limits.stall) return gave_up::stall;
    try {
      // Nothing came in this slice: is the sentence still wanted?
      if (!t.fresh && !(*t.sink)(&none, 0)) {
        t.cancelled = true;
        return gave_up::no;
      }
    } catch (...) {
      t.sink_error = std::current_exception();
      return gave_up::no;
    }
    t.fresh = false;
    curl_multi_poll(multi, nullptr, 0, poll_ms, nullptr);
  }
}

CURLcode result_of(CURLM* multi, CURL* easy) {
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi, &left))
    if (m->msg == CURLMSG_DONE && m->easy_handle == easy) return m->data.result;
  return CURLE_OK;
}

std::string retry_after_of(CURL* easy) {
  curl_header* h = nullptr;
  if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr)
    return h->value;
  return {};
}

// How an attempt ended, once its handles are back in their pools.
struct outcome {
  gave_up why = gave_up::no;
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string retry_after;
  std::string curl_error;
};

// What went wrong, not yet redacted; nullopt when the sentence arrived whole.
std::optional<http::provider_error> failure_of(const outcome& o, const transfer& t,
                                               const remote_tts_limits& limits,
                                               const std::string& url) {
  using http::provider_error;
  const std::string where = " from " + url;
  switch (o.why) {
    case gave_up::first_byte:
      return provider_error(
          "no answer within " + std::to_string(limits.first_byte.count()) + " ms" + where, false);
    case gave_up::stall:
      return provider_error("the answer stalled (nothing for " +
                                std::to_string(limits.stall.count()) + " ms)" + where,
                            false);
    case gave_up::total:
      return provider_error(
          "the sentence took longer than " + std::to_string(limits.total.count()) + " ms" + where,
          false);
    case gave_up::no:
      break;
  }
  // Repeating a call is harmless only while none of its audio was played.
  const bool replayable = !t.audio;
  if (o.status != 0 && o.status / 100 != 2) {
    const std::string message = provider_message(t.error_body);
    const auto after =
        o.retry_after.empty() ? std::nullopt : http::parse_retry_after(o.retry_after);
    return provider_error(
        "HTTP " + std::to_string(o.status) + where + (message.empty() ? "" : ": " + message) +
            (o.retry_after.empty() ? "" : " (retry after " + o.retry_after + " s)"),
        replayable && (o.status >= 500 || o.status == 429), after);
  }
  if (o.code != CURLE_OK)
    return provider_error(
        (t.audio ? "the answer broke off" : "request failed") + where + ": " + o.curl_error,
        replayable && o.status == 0 && connection_failure(o.code));
  if (!t.audio) return provider_error("the answer held no audio" + where, false);
  return std::nullopt;
}

}  // namespace

bool remote_tts_client::attempt(const remote_tts_request& request, const audio_sink& sink,
                                clock_type::time_point total_deadline, bool& cancelled) {
  CURL* easy = impl_->handles.acquire();
  CURLM* multi = impl_->multis.acquire();
  transfer t;
  t.easy = easy;
  t.sink = &sink;
  curl_slist* headers = nullptr;
  for (const char* h : {"Content-Type: application/json", "Expect:"})
    headers = curl_slist_append(headers, h);
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.json_body.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.json_body.size()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_tts_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_tts_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // signals and worker threads do not mix
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits_.connect.count()));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "parley-tts");
  curl_multi_add_handle(multi, easy);
  outcome o;
  o.why = drive(multi, t, limits_, total_deadline);
  o.code = result_of(multi, easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &o.status);
  o.retry_after = retry_after_of(easy);
  o.curl_error = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(o.code);
  const bool whole = o.why == gave_up::no && !t.cancelled && !t.sink_error && o.code == CURLE_OK;
  // Removing a transfer that has not ended closes its connection: the
  // multi's cache keeps only connections whose answer was read in full.
  curl_multi_remove_handle(multi, easy);
  curl_slist_free_all(headers);
  impl_->handles.release(easy, whole);
  impl_->multis.release(multi);
  if (t.sink_error) std::rethrow_exception(t.sink_error);
  if (t.cancelled) {
    cancelled = true;
    return false;
  }
  if (auto e = failure_of(o, t, limits_, request.url))
    throw http::provider_error(http::redact(provider_ + " tts: " + e->what(), secret_),
                               e->retryable(), e->retry_after());
  return true;
}

bool remote_tts_client::stream(const remote_tts_request& request, const audio_sink& sink) {
  const auto start = clock_type::now();
  bool cancelled = false;
  const std::function<bool(milliseconds)> once = [&](milliseconds) {
    return attempt(request, sink, start + limits_.total, cancelled);
  };
  const std::function<bool()> unwanted = [&] {
    static const int16_t none = 0;
    cancelled = cancelled || !sink(&none, 0);
    return cancelled;
  };
  try {
    // Retries only while the first audio could still come in time; past
    // that, the embedded voice serves the listener better than a wait.
    return http::with_retries<bool>(once, start + std::min(limits_.first_byte, limits_.total),
                                    retry_, status_.get(), unwanted);
  } catch (const http::provider_error&) {
    if (cancelled) return false;
    throw;
  }
}

}  // namespace parley::tts
