#include "actors/session/room.hpp"

#include <iomanip>
#include <random>
#include <sstream>

namespace parley::session {

bool room::expect_everyone_back() {
  for (const auto& [user, log] : mem_.logs)
    if (mem_.dropped.count(user) == 0) mem_.away.insert(user);
  return !mem_.away.empty();
}

room::join_result room::join(const std::string& user, const caf::actor& client,
                             const std::string& resume, std::uint64_t received) {
  join_result r;
  if (auto old = present_.find(user); old != present_.end()) {
    r.previous = old->second;
    r.replaced = old->second.client != client;
    present_.erase(old);
  }
  auto& l = mem_.logs[user];
  const bool resumed = !resume.empty() && l.token == resume;
  if (resumed) {
    const auto first = l.sent - l.recent.size();  // the oldest item still kept
    for (auto i = std::max(received, first); i < l.sent; ++i) r.owed.push_back(l.recent[i - first]);
  } else {
    l = member_log{new_token(), 0, {}};
  }
  r.token = l.token;
  mem_.away.erase(user);
  mem_.dropped.erase(user);
  present_[user].client = client;
  return r;
}

std::optional<std::pair<member, std::string>> room::drop(const std::string& user) {
  auto m = present_.find(user);
  if (m == present_.end()) return std::nullopt;
  std::pair<member, std::string> out{m->second, mem_.logs[user].token};
  present_.erase(m);
  mem_.dropped.insert(user);
  return out;
}

bool room::expire(const std::string& user, const std::string& token) {
  auto l = mem_.logs.find(user);
  if (mem_.dropped.count(user) == 0 || l == mem_.logs.end() || l->second.token != token)
    return false;
  mem_.dropped.erase(user);
  mem_.logs.erase(l);
  return true;
}

void room::give_up_on_away() {
  for (const auto& user : mem_.away) mem_.logs.erase(user);
  mem_.away.clear();
}

void room::append(const missed& item) {
  for (auto& [user, l] : mem_.logs) {
    l.recent.push_back(item);
    ++l.sent;
    if (l.recent.size() > kept) l.recent.pop_front();
  }
}

void room::log(messages::session_event e) {
  if (!mem_.logs.empty()) append(std::make_shared<const missed::element_type>(std::move(e)));
}

void room::log(messages::bytes opus) {
  if (!mem_.logs.empty()) append(std::make_shared<const missed::element_type>(std::move(opus)));
}

member* room::find(const std::string& user) {
  auto it = present_.find(user);
  return it == present_.end() ? nullptr : &it->second;
}

std::optional<std::string> room::user_of(const caf::actor_addr& client) const {
  for (const auto& [user, m] : present_)
    if (m.client.address() == client) return user;
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> room::dropped() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& user : mem_.dropped) out.emplace_back(user, mem_.logs.at(user).token);
  return out;
}

// 128 bits from the system's entropy source (getrandom): a token must not
// be guessable by another client of the same guild.
std::string room::new_token() {
  std::random_device entropy;
  std::ostringstream s;
  s << std::hex << std::setfill('0');
  for (int i = 0; i < 4; ++i) s << std::setw(8) << entropy();
  return s.str();
}

}  // namespace parley::session
