#pragma once
// The ops endpoint's one route table: path pattern, method, help text,
// handler, and whether the route mutates state. /help is generated from it,
// and handlers are plain functions testable without a socket.

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace parley::ops {

struct request {
  std::string method;
  std::string path;
  std::string authorization;                  // the Authorization header, if any
  std::map<std::string, std::string> params;  // {name} segments of the pattern
};

// Where a streamed body goes: `write` sends a chunk and returns false once
// the client has gone; `stopping` turns true when the server closes.
struct stream_sink {
  std::function<bool(const std::string&)> write;
  std::function<bool()> stopping;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a body without end (server-sent events): called after the
  // headers and `body`, it returns when the client leaves or the server stops.
  std::function<void(const stream_sink&)> stream;
};

response json_error(int status, const std::string& code, const std::string& message);

struct route {
  std::string method;
  std::string pattern;  // "/actors/{id}": {name} matches one path segment
  std::string help;
  bool mutates = false;
  std::function<response(const request&)> handler;
};

class router {
 public:
  // `token` guards mutating routes (Bearer, compared in constant time); an
  // empty token refuses every mutating call.
  explicit router(std::string token) : token_(std::move(token)) {}

  void add(route r) { routes_.push_back(std::move(r)); }
  // Adds GET `pattern` answering the help text of every route added so far, itself included.
  void add_help(const std::string& pattern);
  response dispatch(request req) const;
  const std::vector<route>& routes() const { return routes_; }
  std::string help_text() const;

 private:
  bool authorized(const std::string& header) const;

  std::string token_;
  std::vector<route> routes_;
};

bool match(const std::string& pattern, const std::string& path,
           std::map<std::string, std::string>& params);
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace parley::ops
