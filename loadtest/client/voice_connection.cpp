#include "loadtest/client/voice_connection.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <thread>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

namespace parley::client {

using ws_client = websocketpp::client<websocketpp::config::asio_client>;

struct voice_connection::state {
  ws_client* endpoint = nullptr;
  websocketpp::connection_hdl hdl;
  mutable std::mutex mutex;
  std::condition_variable changed;
  bool opened = false, failed = false, is_closed = false;
  int status = 0, close_code = 0;
  std::size_t pings = 0;
  std::string refusal, close_reason;
  std::vector<event> events;
  std::vector<bool> taken;
  std::vector<audio_packet> audio;
  // How many events and audio packets forget_before dropped from the front.
  std::size_t events_base = 0, audio_base = 0;

  template <class F>
  void update(F f) {
    {
      std::lock_guard<std::mutex> g(mutex);
      f();
    }
    changed.notify_all();
  }
};

struct client_pool::impl {
  ws_client endpoint;
  std::thread thread;
};

client_pool::client_pool() : impl_(std::make_unique<impl>()) {
  auto& c = impl_->endpoint;
  c.clear_access_channels(websocketpp::log::alevel::all);
  c.clear_error_channels(websocketpp::log::elevel::all);
  c.init_asio();
  c.start_perpetual();
  impl_->thread = std::thread([this] { impl_->endpoint.run(); });
}

client_pool::~client_pool() {
  impl_->endpoint.stop_perpetual();
  impl_->endpoint.stop();
  impl_->thread.join();
}

std::unique_ptr<voice_connection> client_pool::connect(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers) {
  auto s = std::make_shared<voice_connection::state>();
  s->endpoint = &impl_->endpoint;
  websocketpp::lib::error_code ec;
  auto con = impl_->endpoint.get_connection(url, ec);
  if (ec) {
    s->failed = true;
    s->refusal = ec.message();
    return std::unique_ptr<voice_connection>(new voice_connection(s));
  }
  for (const auto& [k, v] : headers) con->append_header(k, v);
  std::weak_ptr<voice_connection::state> w = s;
  // As browsers do: a 20 ms frame must not wait for the last one's ACK.
  con->set_tcp_post_init_handler([ep = &impl_->endpoint](websocketpp::connection_hdl h) {
    websocketpp::lib::error_code e;
    auto c = ep->get_con_from_hdl(h, e);
    websocketpp::lib::asio::error_code aec;
    if (c) c->get_socket().set_option(websocketpp::lib::asio::ip::tcp::no_delay(true), aec);
  });
  con->set_open_handler([w](websocketpp::connection_hdl) {
    if (auto s = w.lock()) s->update([&] { s->opened = true; });
  });
  con->set_fail_handler([w, ep = &impl_->endpoint](websocketpp::connection_hdl h) {
    auto s = w.lock();
    if (!s) return;
    websocketpp::lib::error_code e;
    auto c = ep->get_con_from_hdl(h, e);
    s->update([&] {
      s->failed = true;
      if (!c) {
        s->refusal = "connection gone: " + e.message();
        return;
      }
      s->status = c->get_response_code();
      const auto body = c->get_response().get_body();
      const auto ec = c->get_ec();
      s->refusal = !body.empty() ? body
                                 : ec.message() + " (" + ec.category().name() + " " +
                                       std::to_string(ec.value()) + ")";
    });
  });
  con->set_close_handler([w, ep = &impl_->endpoint](websocketpp::connection_hdl h) {
    auto s = w.lock();
    if (!s) return;
    websocketpp::lib::error_code e;
    auto c = ep->get_con_from_hdl(h, e);
    s->update([&] {
      s->is_closed = true;
      if (!c) return;
      s->close_code = c->get_remote_close_code();
      s->close_reason = c->get_remote_close_reason();
    });
  });
  con->set_ping_handler([w](websocketpp::connection_hdl, std::string) {
    if (auto s = w.lock()) s->update([&] { ++s->pings; });
    return true;  // answer it
  });
  con->set_message_handler([w](websocketpp::connection_hdl, ws_client::message_ptr m) {
    auto s = w.lock();
    if (!s) return;
    const auto now = clock::now();
    if (m->get_opcode() == websocketpp::frame::opcode::binary) {
      const auto& p = m->get_payload();
      s->update([&] { s->audio.push_back({bytes(p.begin(), p.end()), now}); });
    } else {
      auto j = nlohmann::json::parse(m->get_payload(), nullptr, false);
      s->update([&] {
        s->events.push_back({std::move(j), now, s->audio_base + s->audio.size()});
        s->taken.push_back(false);
      });
    }
  });
  s->hdl = con->get_handle();
  // The endpoint shares one resolver between connects and creates it on
  // first use, unguarded: connecting from several caller threads at once
  // freed it under another's feet (ASan). The pool's own thread connects.
  boost::asio::post(impl_->endpoint.get_io_service(),
                    [this, con] { impl_->endpoint.connect(con); });
  return std::unique_ptr<voice_connection>(new voice_connection(s));
}

voice_connection::~voice_connection() {
  close();
}

bool voice_connection::wait_open(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(s_->mutex);
  s_->changed.wait_for(l, timeout, [&] { return s_->opened || s_->failed || s_->is_closed; });
  return s_->opened;
}

int voice_connection::http_status() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->status;
}

std::string voice_connection::refusal() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->refusal;
}

bool voice_connection::open() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->opened && !s_->is_closed;
}

bool voice_connection::closed() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->is_closed;
}

bool voice_connection::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(s_->mutex);
  return s_->changed.wait_for(l, timeout, [&] { return s_->is_closed || s_->failed; });
}

int voice_connection::close_code() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->close_code;
}

std::string voice_connection::close_reason() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->close_reason;
}

bool voice_connection::wait_pings(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(s_->mutex);
  return s_->changed.wait_for(l, timeout, [&] { return s_->pings >= n || s_->is_closed; }) &&
         s_->pings >= n;
}

void voice_connection::send_text(const std::string& text) {
  websocketpp::lib::error_code ec;
  s_->endpoint->send(s_->hdl, text, websocketpp::frame::opcode::text, ec);
}

void voice_connection::send_hello() {
  send_json({{"type", "hello"},
             {"codec", "opus"},
             {"sample_rate", 48000},
             {"channels", 1},
             {"frame_ms", 20}});
}

void voice_connection::send_opus(const bytes& packet) {
  websocketpp::lib::error_code ec;
  s_->endpoint->send(s_->hdl, packet.data(), packet.size(), websocketpp::frame::opcode::binary, ec);
}

void voice_connection::close() {
  if (!open()) return;
  websocketpp::lib::error_code ec;
  s_->endpoint->close(s_->hdl, websocketpp::close::status::normal, "bye", ec);
}

std::optional<event> voice_connection::wait_for(const std::string& type,
                                                std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(s_->mutex);
  std::optional<event> found;
  s_->changed.wait_for(l, timeout, [&] {
    for (std::size_t i = 0; i < s_->events.size(); ++i) {
      if (!s_->taken[i] && s_->events[i].type() == type) {
        s_->taken[i] = true;
        found = s_->events[i];
        return true;
      }
    }
    return s_->is_closed && type != "closed";
  });
  return found;
}

bool voice_connection::wait_until(
    const std::function<bool(const std::vector<event>&, std::size_t)>& pred,
    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(s_->mutex);
  return s_->changed.wait_for(l, timeout,
                              [&] { return pred(s_->events, s_->audio_base + s_->audio.size()); });
}

std::vector<event> voice_connection::events() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->events;
}

std::vector<audio_packet> voice_connection::audio() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->audio;
}

std::size_t voice_connection::audio_count() const {
  std::lock_guard<std::mutex> g(s_->mutex);
  return s_->audio_base + s_->audio.size();
}

std::vector<event> voice_connection::events_since(std::size_t from) const {
  std::lock_guard<std::mutex> g(s_->mutex);
  const auto skip = std::min(from - std::min(from, s_->events_base), s_->events.size());
  return {s_->events.begin() + static_cast<std::ptrdiff_t>(skip), s_->events.end()};
}

std::vector<clock::time_point> voice_connection::audio_times_since(std::size_t from) const {
  std::lock_guard<std::mutex> g(s_->mutex);
  std::vector<clock::time_point> out;
  const auto skip = std::min(from - std::min(from, s_->audio_base), s_->audio.size());
  out.reserve(s_->audio.size() - skip);
  for (auto i = skip; i < s_->audio.size(); ++i) out.push_back(s_->audio[i].at);
  return out;
}

void voice_connection::forget_before(std::size_t events, std::size_t audio) {
  std::lock_guard<std::mutex> g(s_->mutex);
  const auto drop_events = static_cast<std::ptrdiff_t>(
      std::min(events - std::min(events, s_->events_base), s_->events.size()));
  s_->events.erase(s_->events.begin(), s_->events.begin() + drop_events);
  s_->taken.erase(s_->taken.begin(), s_->taken.begin() + drop_events);
  s_->events_base += static_cast<std::size_t>(drop_events);
  const auto drop_audio = static_cast<std::ptrdiff_t>(
      std::min(audio - std::min(audio, s_->audio_base), s_->audio.size()));
  s_->audio.erase(s_->audio.begin(), s_->audio.begin() + drop_audio);
  s_->audio_base += static_cast<std::size_t>(drop_audio);
}

}  // namespace parley::client
