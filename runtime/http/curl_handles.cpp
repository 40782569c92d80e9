#include "runtime/http/curl_handles.hpp"

#include <curl/curl.h>

#include <stdexcept>

namespace parley::http {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]");
  return text;
}

handle_pool::~handle_pool() {
  for (CURL* curl : idle_) curl_easy_cleanup(curl);
}

CURL* handle_pool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      CURL* curl = idle_.back();
      idle_.pop_back();
      return curl;
    }
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  return curl;
}

void handle_pool::release(CURL* curl, bool reusable) {
  curl_easy_reset(curl);
  std::unique_lock<std::mutex> lock(mutex_);
  if (reusable && idle_.size() < max_idle_) {
    idle_.push_back(curl);
    return;
  }
  lock.unlock();
  curl_easy_cleanup(curl);
}

}  // namespace parley::http
