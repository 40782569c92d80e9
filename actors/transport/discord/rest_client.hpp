#pragma once
// Discord's REST API over libcurl, honouring its rate limits: a 429 waits
// the retry_after it names and tries again (three times at most); a route
// whose bucket is spent (X-RateLimit-Remaining: 0) waits X-RateLimit-Reset-
// After before its next request. Calls block: the gateway runs them on a
// worker thread, the register-commands command directly. The token goes
// only into the Authorization header.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace parley::discord {

struct rest_response {
  long status = 0;  // 0: no HTTP answer at all
  std::string body;
  std::string error;  // curl's reason when status is 0
  int attempts = 0;
};

class rest_client {
 public:
  using sleeper = std::function<void(std::chrono::milliseconds)>;
  rest_client(std::string api_url, std::string token, std::string ca_file = {}, sleeper sleep = {});

  // `path` from the API root, e.g. "/applications/1/commands".
  rest_response request(const std::string& method, const std::string& path,
                        const std::string& json_body = {});

 private:
  rest_response once(const std::string& method, const std::string& path, const std::string& body,
                     std::map<std::string, std::string>& headers);

  std::string api_url_, token_, ca_file_;
  sleeper sleep_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> route_free_at_;
};

}  // namespace parley::discord
