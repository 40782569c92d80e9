#pragma once
// A blocking HTTP client for tests (libcurl).

#include <string>
#include <vector>

namespace parley::test {

struct http_result {
  long status = 0;  // 0: no response (connection failed)
  std::string body;
  std::string content_type;
  std::vector<std::string> headers;
};

http_result http(const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers = {}, long timeout_ms = 5000);

inline http_result get(const std::string& url) {
  return http("GET", url);
}

}  // namespace parley::test
