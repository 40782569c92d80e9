#include "actors/transport/websocket/connection_table.hpp"

#include <caf/all.hpp>

#include "actors/audio/opus_codec.hpp"
#include "messages/voice.hpp"

namespace parley::transport {

using namespace parley::messages;

namespace {
void send_payload(const caf::actor& a, std::string payload, bool binary) {
  if (binary)
    caf::anon_send(a, ws_binary_atom::value, std::move(payload));
  else
    caf::anon_send(a, ws_text_atom::value, std::move(payload));
}
}  // namespace

void connection_table::hand_over_kept(entry& e) {
  if (e.kept == 0 || !e.actor) return;
  caf::anon_send(e.actor, ws_silence_atom::value, e.kept);
  e.kept = 0;
}

void connection_table::opened(connection_id id, std::string remote) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++per_address_[remote];
  entries_[id].remote = std::move(remote);
}

bool connection_table::started(connection_id id, const caf::actor& actor) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    caf::anon_send(actor, ws_closed_atom::value);
    return false;
  }
  it->second.actor = actor;
  for (auto& [payload, binary] : it->second.waiting)
    send_payload(actor, std::move(payload), binary);
  it->second.waiting.clear();
  return true;
}

void connection_table::deliver(connection_id id, std::string payload, bool binary) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.gone) return;
  auto& e = it->second;
  if (!e.actor) {
    e.waiting.emplace_back(std::move(payload), binary);
    return;
  }
  if (binary && e.keep_silence && audio::is_dtx_packet(payload.size())) {
    ++e.kept;
    return;
  }
  hand_over_kept(e);
  send_payload(e.actor, std::move(payload), binary);
}

void connection_table::keep_silence(connection_id id, bool on) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.keep_silence = on;
  if (!on) hand_over_kept(it->second);
}

void connection_table::closed(connection_id id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.actor) caf::anon_send(it->second.actor, ws_closed_atom::value);
  if (--per_address_[it->second.remote] == 0) per_address_.erase(it->second.remote);
  entries_.erase(it);
}

void connection_table::ended(connection_id id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.actor = nullptr;
  it->second.gone = true;
  it->second.waiting.clear();
}

std::size_t connection_table::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::size_t connection_table::from(const std::string& remote) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = per_address_.find(remote);
  return it == per_address_.end() ? 0 : it->second;
}

}  // namespace parley::transport
