#include "actors/transport/discord/rest_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

namespace parley::discord {

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t header_line(char* data, std::size_t size, std::size_t n, void* out) {
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string key = line.substr(0, colon);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[key] = value;
  }
  return size * n;
}

std::chrono::milliseconds seconds_to_ms(double s) {
  return std::chrono::milliseconds(static_cast<long>(std::max(0.0, s) * 1000.0));
}

double number_or(const std::map<std::string, std::string>& h, const std::string& key,
                 double fallback) {
  const auto it = h.find(key);
  if (it == h.end()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  return end == it->second.c_str() ? fallback : v;
}

}  // namespace

rest_client::rest_client(std::string api_url, std::string token, std::string ca_file, sleeper sleep)
    : api_url_(std::move(api_url)),
      token_(std::move(token)),
      ca_file_(std::move(ca_file)),
      sleep_(sleep ? std::move(sleep)
                   : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {}

rest_response rest_client::once(const std::string& method, const std::string& path,
                                const std::string& body,
                                std::map<std::string, std::string>& headers) {
  rest_response r;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    r.error = "curl_easy_init failed";
    return r;
  }
  const std::string url = api_url_ + path;
  const std::string auth = "Authorization: Bot " + token_;
  curl_slist* list = curl_slist_append(nullptr, auth.c_str());
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "User-Agent: DiscordBot (https://github.com/parley, 1)");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (!body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_line);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  else
    r.error = curl_easy_strerror(rc);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

rest_response rest_client::request(const std::string& method, const std::string& path,
                                   const std::string& json_body) {
  const std::string route = method + " " + path;
  rest_response r;
  for (int attempt = 1; attempt <= 4; ++attempt) {
    std::chrono::steady_clock::time_point free_at;
    {
      std::lock_guard<std::mutex> g(mutex_);
      free_at = route_free_at_[route];
    }
    const auto now = std::chrono::steady_clock::now();
    if (free_at > now) sleep_(std::chrono::duration_cast<std::chrono::milliseconds>(free_at - now));
    std::map<std::string, std::string> headers;
    r = once(method, path, json_body, headers);
    r.attempts = attempt;
    if (number_or(headers, "x-ratelimit-remaining", 1) <= 0) {
      std::lock_guard<std::mutex> g(mutex_);
      route_free_at_[route] = std::chrono::steady_clock::now() +
                              seconds_to_ms(number_or(headers, "x-ratelimit-reset-after", 1));
    }
    if (r.status != 429) return r;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    double wait = number_or(headers, "retry-after", 1);
    if (j.is_object() && j.contains("retry_after") && j["retry_after"].is_number())
      wait = j["retry_after"].get<double>();
    sleep_(seconds_to_ms(std::min(wait, 60.0)));
  }
  return r;
}

}  // namespace parley::discord
