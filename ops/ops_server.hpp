#pragma once
// The ops endpoint over HTTP. CivetWeb stays inside ops_server.cpp.

#include <cstdint>
#include <memory>
#include <string>

#include "ops/router.hpp"

namespace parley::ops {

class ops_server {
 public:
  // Listens on host:port (port 0: an ephemeral port). Throws
  // std::runtime_error with the reason when it cannot listen.
  ops_server(const std::string& host, std::uint16_t port, router routes);
  ~ops_server();
  ops_server(const ops_server&) = delete;
  ops_server& operator=(const ops_server&) = delete;

  std::uint16_t port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::ops
