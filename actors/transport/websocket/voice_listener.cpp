#include "actors/transport/websocket/voice_listener.hpp"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <websocketpp/config/asio.hpp>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include "runtime/common/log.hpp"

namespace parley::transport {
namespace {

// A closing TLS server otherwise waits 5 s for the peer's TLS shutdown reply;
// the timeout lives in the transport's config, so both are replaced.
template <class Base>
struct quick_shutdown : Base {
  struct transport_config : Base::transport_config {
    static const long timeout_socket_shutdown = 100;
  };
  using transport_type = websocketpp::transport::asio::endpoint<transport_config>;
};
using tls_config = quick_shutdown<websocketpp::config::asio_tls>;
using plain_config = quick_shutdown<websocketpp::config::asio>;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const auto pair = query.substr(start, end - start);
    const auto eq = pair.find('=');
    if (!pair.empty())
      out[percent_decode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

class voice_listener::impl {
 public:
  virtual ~impl() = default;
  virtual std::uint16_t port() const = 0;
  virtual bool tls() const = 0;
  virtual void send(connection_id id, const std::string& payload, bool binary) = 0;
  virtual void close(connection_id id, std::uint16_t code, const std::string& reason) = 0;
  virtual std::size_t connections() const = 0;
  virtual void stop() = 0;
};

namespace {

template <class Config>
class server_impl final : public voice_listener::impl {
 public:
  using server = websocketpp::server<Config>;
  using hdl = websocketpp::connection_hdl;

  server_impl(const listener_config& cfg, listener_events& events)
      : cfg_(cfg), events_(events), timer_(nullptr) {
    ws_.clear_access_channels(websocketpp::log::alevel::all);
    ws_.clear_error_channels(websocketpp::log::elevel::all);
    ws_.init_asio();
    ws_.set_reuse_addr(true);
    ws_.set_max_message_size(cfg.max_message_bytes);
    ws_.set_max_http_body_size(cfg.max_message_bytes);
    ws_.set_open_handshake_timeout(5000);  // slow or stalled handshakes (slowloris)
    ws_.set_validate_handler([this](hdl h) { return validate(h); });
    ws_.set_http_handler([this](hdl h) { serve_http(h); });
    ws_.set_open_handler([this](hdl h) { opened(h); });
    ws_.set_close_handler([this](hdl h) { closed(h); });
    ws_.set_message_handler([this](hdl h, typename server::message_ptr m) { message(h, m); });
    // A muted member sends nothing for minutes; answering pings is what
    // keeps the connection alive, not speaking. One late pong is no reason
    // to close: the heartbeat's idle check allows three intervals.
    ws_.set_pong_handler([this](hdl h, std::string) {
      std::lock_guard<std::mutex> g(mutex_);
      seen(h);
    });
    configure_tls();
    set_no_delay();
    websocketpp::lib::asio::error_code aec;
    auto address = websocketpp::lib::asio::ip::make_address(cfg.host, aec);
    if (aec) throw std::runtime_error("voice address '" + cfg.host + "' is not an IP address");
    websocketpp::lib::error_code ec;
    ws_.listen(websocketpp::lib::asio::ip::tcp::endpoint(address, cfg.port), ec);
    if (ec)
      throw std::runtime_error("voice port cannot listen on " + cfg.host + ":" +
                               std::to_string(cfg.port) + ": " + ec.message());
    ws_.start_accept();
    timer_ = std::make_unique<websocketpp::lib::asio::steady_timer>(ws_.get_io_service());
    heartbeat();
    thread_ = std::thread([this] { ws_.run(); });
  }

  ~server_impl() override { stop(); }

  void stop() override {
    if (!thread_.joinable()) return;
    ws_.get_io_service().post([this] {
      std::error_code ec;
      ws_.stop_listening(ec);
      timer_->cancel();
      std::lock_guard<std::mutex> g(mutex_);
      stopping_ = true;
      if (conns_.empty()) return ws_.stop();
      for (auto& [id, c] : conns_)
        ws_.close(c.handle, websocketpp::close::status::going_away, "server stopping", ec);
    });
    // Give peers a moment for the close handshake, then stop regardless
    // (sooner when the last one has closed: a restarted gateway waits for
    // this one to end before it listens).
    websocketpp::lib::asio::steady_timer stop_timer(ws_.get_io_service(),
                                                    std::chrono::milliseconds(500));
    stop_timer.async_wait([this](const websocketpp::lib::asio::error_code&) { ws_.stop(); });
    thread_.join();
    std::lock_guard<std::mutex> g(mutex_);
    conns_.clear();  // later sends find nobody
    ids_.clear();
  }

  std::uint16_t port() const override {
    websocketpp::lib::asio::error_code ec;
    return const_cast<server&>(ws_).get_local_endpoint(ec).port();
  }

  bool tls() const override { return std::is_same<Config, tls_config>::value; }

  void send(connection_id id, const std::string& payload, bool binary) override {
    hdl h;
    if (!lookup(id, h)) return;
    std::error_code ec;
    ws_.send(h, payload,
             binary ? websocketpp::frame::opcode::binary : websocketpp::frame::opcode::text, ec);
  }

  void close(connection_id id, std::uint16_t code, const std::string& reason) override {
    hdl h;
    if (!lookup(id, h)) return;
    std::error_code ec;
    ws_.close(h, code, reason, ec);
  }

  std::size_t connections() const override {
    std::lock_guard<std::mutex> g(mutex_);
    return conns_.size();
  }

 private:
  struct conn {
    hdl handle;
    std::chrono::steady_clock::time_point last_seen;
  };

  void configure_tls();
  // Reply audio is 20 ms packets of ~80 bytes: Nagle would hold each one
  // until the client acknowledged the last (up to its 40 ms delayed ACK).
  // The socket exists only once accepted: socket_init runs before, on a
  // socket not yet open, where the option silently fails.
  void set_no_delay() {
    ws_.set_tcp_pre_init_handler([this](hdl h) {
      std::error_code ec;
      auto con = ws_.get_con_from_hdl(h, ec);
      if (ec) return;
      websocketpp::lib::asio::error_code aec;
      con->get_socket().lowest_layer().set_option(websocketpp::lib::asio::ip::tcp::no_delay(true),
                                                  aec);
      if (aec) log::warn("transport", "TCP_NODELAY not set", {{"why", aec.message()}});
    });
  }

  bool lookup(connection_id id, hdl& out) const {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = conns_.find(id);
    if (it == conns_.end()) return false;
    out = it->second.handle;
    return true;
  }

  upgrade_request request_of(hdl h) {
    auto con = ws_.get_con_from_hdl(h);
    upgrade_request req;
    const std::string resource = con->get_resource();
    const auto q = resource.find('?');
    req.path = resource.substr(0, q);
    if (q != std::string::npos) req.query = parse_query(resource.substr(q + 1));
    req.origin = con->get_request_header("Origin");
    req.authorization = con->get_request_header("Authorization");
    req.forwarded_for = con->get_request_header("X-Forwarded-For");
    websocketpp::lib::asio::error_code ec;
    req.remote = con->get_raw_socket().remote_endpoint(ec).address().to_string();
    return req;
  }

  bool validate(hdl h) {
    const auto reply = events_.on_upgrade(request_of(h));
    if (reply.status == 101) return true;
    auto con = ws_.get_con_from_hdl(h);
    con->set_status(static_cast<websocketpp::http::status_code::value>(reply.status));
    con->replace_header("Content-Type", reply.content_type);
    con->set_body(reply.body);
    return false;
  }

  void serve_http(hdl h) {
    auto con = ws_.get_con_from_hdl(h);
    const std::string resource = con->get_resource();
    const auto reply = events_.on_http(resource.substr(0, resource.find('?')));
    con->set_status(static_cast<websocketpp::http::status_code::value>(reply.status));
    con->replace_header("Content-Type", reply.content_type);
    con->replace_header("Cache-Control", "no-store");
    con->set_body(reply.body);
  }

  void opened(hdl h) {
    const connection_id id = next_id_++;
    ws_.get_con_from_hdl(h)->set_close_handshake_timeout(1000);
    {
      std::lock_guard<std::mutex> g(mutex_);
      conns_[id] = {h, std::chrono::steady_clock::now()};
      ids_[h] = id;
    }
    events_.on_open(id, request_of(h));
  }

  void closed(hdl h) {
    connection_id id = 0;
    {
      std::lock_guard<std::mutex> g(mutex_);
      auto it = ids_.find(h);
      if (it == ids_.end()) return;
      id = it->second;
      ids_.erase(it);
      conns_.erase(id);
      if (stopping_ && conns_.empty()) ws_.stop();
    }
    events_.on_close(id);
  }

  void message(hdl h, typename server::message_ptr m) {
    connection_id id = 0;
    {
      std::lock_guard<std::mutex> g(mutex_);
      id = seen(h);
      if (id == 0) return;
    }
    if (m->get_opcode() == websocketpp::frame::opcode::text)
      events_.on_text(id, std::move(m->get_raw_payload()));
    else
      events_.on_binary(id, std::move(m->get_raw_payload()));
  }

  // The connection's id (0: gone), marked alive now. Call with mutex_ held.
  connection_id seen(hdl h) {
    auto it = ids_.find(h);
    if (it == ids_.end()) return 0;
    conns_[it->second].last_seen = std::chrono::steady_clock::now();
    return it->second;
  }

  // Pings every connection and closes the ones that answered nothing past
  // the timeout.
  void heartbeat() {
    timer_->expires_after(cfg_.ping_interval);
    timer_->async_wait([this](const websocketpp::lib::asio::error_code& ec) {
      if (ec) return;
      const auto now = std::chrono::steady_clock::now();
      std::vector<std::pair<hdl, bool>> todo;
      {
        std::lock_guard<std::mutex> g(mutex_);
        for (auto& [id, c] : conns_)
          todo.emplace_back(c.handle, now - c.last_seen > cfg_.idle_timeout);
      }
      for (auto& [h, idle] : todo) {
        std::error_code e;
        if (idle)
          ws_.close(h, websocketpp::close::status::policy_violation, "idle timeout", e);
        else
          ws_.ping(h, "", e);
      }
      heartbeat();
    });
  }

  listener_config cfg_;
  listener_events& events_;
  server ws_;
  std::unique_ptr<websocketpp::lib::asio::steady_timer> timer_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<connection_id, conn> conns_;
  bool stopping_ = false;  // guarded by mutex_; set by the destructor
  std::map<hdl, connection_id, std::owner_less<hdl>> ids_;
  std::atomic<connection_id> next_id_{1};
};

template <>
void server_impl<plain_config>::configure_tls() {}

template <>
void server_impl<tls_config>::configure_tls() {
  namespace ssl = websocketpp::lib::asio::ssl;
  ws_.set_tls_init_handler([this](hdl) {
    auto ctx = websocketpp::lib::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx->use_certificate_chain_file(cfg_.tls_cert);
    ctx->use_private_key_file(cfg_.tls_key, ssl::context::pem);
    return ctx;
  });
}

}  // namespace

voice_listener::voice_listener(listener_config cfg, std::shared_ptr<listener_events> events)
    : events_(std::move(events)) {
  if (!cfg.tls_cert.empty() && !cfg.tls_key.empty())
    impl_ = std::make_unique<server_impl<tls_config>>(cfg, *events_);
  else
    impl_ = std::make_unique<server_impl<plain_config>>(cfg, *events_);
}

voice_listener::~voice_listener() = default;

void voice_listener::stop() {
  impl_->stop();
}
std::uint16_t voice_listener::port() const {
  return impl_->port();
}
bool voice_listener::tls() const {
  return impl_->tls();
}
void voice_listener::send_text(connection_id id, const std::string& p) {
  impl_->send(id, p, false);
}
void voice_listener::send_binary(connection_id id, const std::string& p) {
  impl_->send(id, p, true);
}
void voice_listener::close(connection_id id, std::uint16_t code, const std::string& reason) {
  impl_->close(id, code, reason);
}
std::size_t voice_listener::connections() const {
  return impl_->connections();
}

}  // namespace parley::transport
