#pragma once
// What every libcurl client in Parley shares: the one global init, a small
// pool of easy handles (each keeps its connection cache, so calls to the
// same provider reuse connections), and keeping keys out of messages.

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

typedef void CURL;  // NOLINT(modernize-use-using): as curl/curl.h declares it

namespace parley::http {

// curl_global_init, once per process; throws when it fails.
void init_curl_once();

// `text` with every occurrence of `secret` replaced by "[redacted]": for
// errors that may quote what was sent (some providers echo the key).
std::string redact(std::string text, const std::string& secret);

class handle_pool {
 public:
  explicit handle_pool(std::size_t max_idle = 4) : max_idle_(max_idle) {}
  ~handle_pool();
  handle_pool(const handle_pool&) = delete;
  handle_pool& operator=(const handle_pool&) = delete;

  CURL* acquire();
  // Reset (this call's options forgotten, live connections kept) and kept
  // for the next call, unless `reusable` is false (a transfer that ended
  // midway) or enough are idle.
  void release(CURL* curl, bool reusable);

 private:
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace parley::http
