#include "runtime/server/health_probe.hpp"

#include <curl/curl.h>

#include <memory>

namespace parley::runtime {

bool probe_health(const endpoint& ops_addr, const std::string& path, long timeout_ms,
                  std::string& why) {
  const std::string host = ops_addr.host == "0.0.0.0" ? "127.0.0.1" : ops_addr.host;
  const std::string url = "http://" + host + ":" + std::to_string(ops_addr.port) + path;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    why = "curl_easy_init failed";
    return false;
  }
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 0L);
  curl_easy_setopt(
      curl.get(), CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) { return size * n; });
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    why = url + ": " + curl_easy_strerror(rc);
    return false;
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) why = url + ": HTTP " + std::to_string(status);
  return status == 200;
}

}  // namespace parley::runtime
