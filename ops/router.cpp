#include "ops/router.hpp"

#include <openssl/crypto.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace parley::ops {
namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(path);
  while (std::getline(in, cur, '/'))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

response json_error(int status, const std::string& code, const std::string& message) {
  response r;
  r.status = status;
  r.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
  return r;
}

bool match(const std::string& pattern, const std::string& path,
           std::map<std::string, std::string>& params) {
  const auto want = segments(pattern);
  const auto got = segments(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      found[w.substr(1, w.size() - 2)] = got[i];
    } else if (w != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Length is not secret; the contents are compared without early exit.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool router::authorized(const std::string& header) const {
  static const std::string prefix = "Bearer ";
  if (token_.empty() || header.compare(0, prefix.size(), prefix) != 0) return false;
  return constant_time_equal(header.substr(prefix.size()), token_);
}

response router::dispatch(request req) const {
  std::vector<std::string> allowed;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match(r.pattern, req.path, params)) continue;
    if (r.method != req.method) {
      allowed.push_back(r.method);
      continue;
    }
    if (r.mutates) {
      if (req.authorization.empty())
        return json_error(401, "unauthorized", "this route needs Authorization: Bearer <token>");
      if (!authorized(req.authorization))
        return json_error(403, "forbidden", "the bearer token is not valid");
    }
    req.params = std::move(params);
    return r.handler(req);
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    auto resp = json_error(405, "method_not_allowed",
                           req.method + " is not allowed on " + req.path + "; allowed: " + allow);
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  return json_error(404, "not_found", "no route for " + req.path + "; see GET /help");
}

void router::add_help(const std::string& pattern) {
  add({"GET", pattern, "this list", false, nullptr});
  routes_.back().handler = [help = help_text()](const request&) {
    response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = help;
    return r;
  };
}

std::string router::help_text() const {
  std::ostringstream out;
  for (const auto& r : routes_) {
    std::string line = r.method + " " + r.pattern;
    line.resize(std::max<std::size_t>(line.size() + 1, 28), ' ');
    out << line << r.help << (r.mutates ? " [mutates; needs bearer token]" : "") << "\n";
  }
  return out.str();
}

}  // namespace parley::ops
