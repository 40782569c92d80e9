#include "runtime/net/wss_client.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_client.hpp>

namespace parley::net {

namespace asio = websocketpp::lib::asio;
using client = websocketpp::client<websocketpp::config::asio_tls_client>;
using hdl = websocketpp::connection_hdl;

class wss_client::impl {
 public:
  impl(wss_options options, wss_handlers handlers)
      : options_(std::move(options)), handlers_(std::move(handlers)) {
    ws_.clear_access_channels(websocketpp::log::alevel::all);
    ws_.clear_error_channels(websocketpp::log::elevel::all);
    ws_.init_asio();
    ws_.set_max_message_size(options_.max_message_bytes);
    ws_.set_tls_init_handler([this](hdl h) { return tls_context(h); });
    ws_.set_open_handler([this](hdl) {
      if (close_if_asked()) return;  // the caller gave up while it connected
      if (handlers_.on_open) handlers_.on_open();
    });
    ws_.set_message_handler([this](hdl, client::message_ptr m) {
      if (m->get_opcode() == websocketpp::frame::opcode::text) {
        if (handlers_.on_text) handlers_.on_text(m->get_payload());
      } else if (handlers_.on_binary) {
        handlers_.on_binary(m->get_payload());
      }
    });
    ws_.set_close_handler([this](hdl h) { ended(h); });
    ws_.set_fail_handler([this](hdl h) { ended(h); });
    websocketpp::lib::error_code ec;
    auto con = ws_.get_connection(options_.url, ec);
    if (ec) {
      // Reported from the I/O thread like every other ending.
      ws_.get_io_service().post([this, why = ec.message()] { report(1006, "bad URL: " + why); });
    } else {
      for (const auto& [name, value] : options_.headers) con->append_header(name, value);
      handle_ = con->get_handle();
      ws_.connect(con);
    }
    thread_ = std::thread([this] { ws_.run(); });
  }

  ~impl() {
    close(1001, "going away");
    // A peer that never answers the close handshake does not hold us up.
    asio::steady_timer stop_timer(ws_.get_io_service(), std::chrono::milliseconds(500));
    stop_timer.async_wait([this](const asio::error_code&) { ws_.stop(); });
    thread_.join();
  }

  void send(const std::string& payload, websocketpp::frame::opcode::value op) {
    std::error_code ec;
    ws_.send(handle_, payload, op, ec);  // websocketpp locks the connection itself
  }

  void close(int code, const std::string& reason) {
    std::lock_guard<std::mutex> lock(closing_);
    // websocketpp cannot close a connection still in its handshake: it is
    // closed as soon as it opens, or it stays open to the provider for nothing.
    if (close_handle(code, reason) ==
        websocketpp::error::make_error_code(websocketpp::error::invalid_state))
      pending_close_ = std::make_pair(code, reason);
  }

 private:
  std::shared_ptr<asio::ssl::context> tls_context(hdl) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    asio::error_code ec;
    if (options_.ca_file.empty())
      ctx->set_default_verify_paths(ec);
    else
      ctx->load_verify_file(options_.ca_file, ec);
    const auto host = websocketpp::uri(options_.url).get_host();
    ctx->set_verify_callback(asio::ssl::host_name_verification(host));
    return ctx;
  }

  std::error_code close_handle(int code, const std::string& reason) {
    std::error_code ec;
    ws_.close(handle_, static_cast<websocketpp::close::status::value>(code), reason, ec);
    return ec;
  }

  bool close_if_asked() {
    std::lock_guard<std::mutex> lock(closing_);
    if (!pending_close_) return false;
    (void)close_handle(pending_close_->first, pending_close_->second);
    return true;
  }

  void ended(hdl h) {
    std::error_code ec;
    auto con = ws_.get_con_from_hdl(h, ec);
    int code = 1006;
    std::string why = "connection lost";
    if (!ec) {
      const auto remote = con->get_remote_close_code();
      if (remote != websocketpp::close::status::blank &&
          remote != websocketpp::close::status::abnormal_close &&
          remote != websocketpp::close::status::no_status) {
        code = remote;
        why = con->get_remote_close_reason();
      } else if (refused(*con)) {
        why = "HTTP " + std::to_string(con->get_response_code()) + " " + con->get_response_msg();
      } else if (con->get_ec()) {
        why = con->get_ec().message();
      }
    }
    report(code, why);
  }

  // The server answered the upgrade with an HTTP error (e.g. 401 for a bad key).
  static bool refused(client::connection_type& con) {
    const auto status = con.get_response_code();
    return status != websocketpp::http::status_code::uninitialized &&
           status != websocketpp::http::status_code::switching_protocols;
  }

  void report(int code, const std::string& why) {
    if (closed_.exchange(true)) return;
    if (handlers_.on_close) handlers_.on_close(code, why);
  }

  wss_options options_;
  wss_handlers handlers_;
  client ws_;
  hdl handle_;
  std::mutex closing_;
  std::optional<std::pair<int, std::string>> pending_close_;  // asked while connecting
  std::thread thread_;
  std::atomic<bool> closed_{false};
};

wss_client::wss_client(wss_options options, wss_handlers handlers)
    : impl_(std::make_unique<impl>(std::move(options), std::move(handlers))) {}

wss_client::~wss_client() = default;

void wss_client::send_text(const std::string& payload) {
  impl_->send(payload, websocketpp::frame::opcode::text);
}

void wss_client::send_binary(const std::string& payload) {
  impl_->send(payload, websocketpp::frame::opcode::binary);
}

void wss_client::close(int code, const std::string& reason) {
  impl_->close(code, reason);
}

}  // namespace parley::net
