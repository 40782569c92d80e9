#include "ops/ops_server.hpp"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <stdexcept>

namespace parley::ops {
namespace {

class dispatcher : public CivetHandler {
 public:
  explicit dispatcher(router routes) : routes_(std::move(routes)) {}

  // Streams see it and return, so closing the server does not wait on them.
  std::atomic<bool> stopping{false};

  bool handleGet(CivetServer*, mg_connection* c) override { return serve(c); }
  bool handleHead(CivetServer*, mg_connection* c) override { return serve(c); }
  bool handlePost(CivetServer*, mg_connection* c) override { return serve(c); }
  bool handlePut(CivetServer*, mg_connection* c) override { return serve(c); }
  bool handleDelete(CivetServer*, mg_connection* c) override { return serve(c); }
  bool handlePatch(CivetServer*, mg_connection* c) override { return serve(c); }

 private:
  bool serve(mg_connection* c) const {
    const mg_request_info* info = mg_get_request_info(c);
    request req;
    req.method = info->request_method;
    // HEAD is GET without the body (load balancers' health checks use it).
    const bool head_only = req.method == "HEAD";
    if (head_only) req.method = "GET";
    req.path = info->local_uri != nullptr ? info->local_uri : "/";
    if (const char* auth = mg_get_header(c, "Authorization")) req.authorization = auth;
    const response resp = routes_.dispatch(std::move(req));
    std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                       mg_get_response_code_text(c, resp.status) +
                       "\r\nContent-Type: " + resp.content_type +
                       "\r\nCache-Control: no-store\r\nConnection: close\r\n";
    // A stream's length is unknown: it ends when the connection closes.
    if (!resp.stream) head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
    for (const auto& [k, v] : resp.headers) head.append(k).append(": ").append(v).append("\r\n");
    head += "\r\n";
    mg_write(c, head.data(), head.size());
    if (head_only) return true;
    mg_write(c, resp.body.data(), resp.body.size());
    if (resp.stream) stream(c, resp);
    return true;
  }

  void stream(mg_connection* c, const response& resp) const {
    const stream_sink sink{[c](const std::string& chunk) {
                             return chunk.empty() || mg_write(c, chunk.data(), chunk.size()) > 0;
                           },
                           [this] { return stopping.load(); }};
    resp.stream(sink);
  }

  router routes_;
};

void poke(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // only to wake it
  ::close(fd);
}

std::string listen_spec(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct ops_server::impl {
  dispatcher handler;
  std::unique_ptr<CivetServer> server;
  explicit impl(router r) : handler(std::move(r)) {}
};

ops_server::ops_server(const std::string& host, std::uint16_t port, router routes)
    : impl_(std::make_unique<impl>(std::move(routes))) {
  // CivetWeb gives each connection a worker thread until its request is in:
  // a slow or stuck client (slowloris) holds one for at most
  // request_timeout_ms. The pool is sized so that a few dozen such clients
  // still leave threads for probes and scrapes; the ops port belongs on a
  // private network, where more than that is not expected.
  const std::vector<std::string> options = {"listening_ports",    listen_spec(host, port),
                                            "num_threads",        "48",
                                            "request_timeout_ms", "3000",
                                            "enable_keep_alive",  "no"};
  try {
    impl_->server = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    throw std::runtime_error("ops endpoint cannot listen on " + listen_spec(host, port) + ": " +
                             e.what());
  }
  impl_->server->addHandler("/", &impl_->handler);
}

// CivetWeb's accept loop polls in 2 s quanta (fixed when Debian built it), so
// a plain close takes up to 2 s; connecting to the port wakes the poll, which
// then sees the stop flag.
ops_server::~ops_server() {
  if (!impl_->server) return;
  const std::uint16_t p = port();
  impl_->handler.stopping = true;
  std::atomic<bool> closed{false};
  std::thread waker([&] {
    while (!closed) {
      poke(p);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  impl_->server->close();
  closed = true;
  waker.join();
}

std::uint16_t ops_server::port() const {
  const auto ports = impl_->server->getListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

}  // namespace parley::ops
