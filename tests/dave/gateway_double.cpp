#include "gateway_double.hpp"

#include <algorithm>

#include "actors/transport/discord/dave/dave_opcodes.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/group.hpp"

namespace parley::dave::test {

namespace {

mls::bytes proposal_message(const mls::bytes& group_id, std::uint64_t epoch,
                            const mls::signature_key_pair& key, mls::proposal p) {
  mls::authenticated_content ac;
  ac.content.group_id = group_id;
  ac.content.epoch = epoch;
  ac.content.sender = {mls::sender_type::external, 0};
  ac.content.content = std::move(p);
  ac.auth.signature =
      mls::sign_content(key.private_key, mls::wire_format::public_message, ac.content, nullptr);
  mls::mls_message m;
  m.body = mls::to_public_message(ac, std::nullopt);
  return mls::encode(m);
}

}  // namespace

gateway_double::gateway_double(std::uint64_t channel)
    : group_id_(mls::user_id_identity(channel)), key_(mls::generate_signature_key()) {}

void gateway_double::join(const std::string& user, dave_session& session) {
  std::vector<std::string> everyone;
  for (auto& [name, c] : clients_) {
    c.session->users_connected({user});
    everyone.push_back(name);
  }
  everyone.push_back(user);
  clients_[user].session = &session;
  session.users_connected(everyone);
  take(user, session.on_protocol(1));
  const auto sender = build_external_sender(key_.public_key, mls::bytes{'g', 'w'});
  take(user, session.on_binary(opcode::external_sender, sender.data(), sender.size()));
}

void gateway_double::leave(const std::string& user) {
  auto it = clients_.find(user);
  if (it == clients_.end()) return;
  const auto leaf = it->second.leaf;
  clients_.erase(it);
  waiting_ready_.erase(user);
  for (auto& [name, c] : clients_) c.session->user_disconnected(user);
  if (leaf) propose_remove(*leaf);
}

void gateway_double::settle() {
  while (!inbox_.empty()) {
    auto [user, frame] = inbox_.front();
    inbox_.erase(inbox_.begin());
    if (clients_.count(user) == 0) continue;
    if (frame.binary) {
      on_binary(user, frame.payload);
    } else {
      on_text(user, frame.payload);
    }
  }
}

void gateway_double::take(const std::string& user, const std::vector<outbound>& frames) {
  for (const auto& f : frames) inbox_.emplace_back(user, f);
}

void gateway_double::on_binary(const std::string& user, const std::string& frame) {
  const auto parsed =
      parse_client_frame(reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size());
  if (parsed.opcode == opcode::key_package) {
    clients_[user].key_package = parsed.payload;
    propose_add(user);
  } else if (parsed.opcode == opcode::commit_welcome) {
    on_commit(user, parsed.payload);
  }
}

void gateway_double::on_text(const std::string& user, const std::string& text) {
  if (text.find("\"op\":31") != std::string::npos) {
    ++invalid_;
    auto& c = clients_[user];
    c.member = false;
    waiting_ready_.erase(user);
    if (c.leaf) propose_remove(*c.leaf);
    c.leaf.reset();
    return;
  }
  const auto id = parse_transition_id(text, opcode::transition_ready);
  if (id != transition_) return;
  waiting_ready_.erase(user);
  if (!waiting_ready_.empty()) return;
  for (auto& [name, c] : clients_)
    if (c.member) take(name, c.session->on_execute_transition(transition_));
}

void gateway_double::propose_add(const std::string& user) {
  const auto kp = mls::decode<mls::key_package>(clients_[user].key_package);
  pending_adds_.push_back(user);
  send_proposal(proposal_message(group_id_, epoch_, key_, mls::proposal{mls::add{kp}}));
}

void gateway_double::propose_remove(std::uint32_t leaf) {
  leaves_.erase(std::remove(leaves_.begin(), leaves_.end(), leaf), leaves_.end());
  send_proposal(proposal_message(group_id_, epoch_, key_, mls::proposal{mls::remove{leaf}}));
}

// To the group's members; before there is a group, to every other client
// that has a group of one to start it with.
void gateway_double::send_proposal(const mls::bytes& message) {
  const auto payload = build_proposals_append({message});
  const auto& added = pending_adds_.empty() ? std::string() : pending_adds_.back();
  bool sent = false;
  for (auto& [name, c] : clients_) {
    const bool to = epoch_ > 0 ? c.member : (name != added && !c.key_package.empty());
    if (!to) continue;
    sent = true;
    take(name, c.session->on_binary(opcode::proposals, payload.data(), payload.size()));
  }
  if (sent) ++proposals_in_epoch_;
}

void gateway_double::on_commit(const std::string& user, const mls::bytes& payload) {
  mls::tls_reader r(payload);
  const auto commit = mls::mls_message::decode(r);
  std::optional<mls::bytes> welcome;
  if (!r.empty()) welcome = r.raw(r.left());
  const auto* pm = commit.get<mls::public_message>();
  if (pm == nullptr || pm->content.epoch != epoch_) return;  // not this epoch's: late
  // A valid commit takes every proposal of the epoch (whitepaper "Voice
  // Gateway Commit Validity"); one made before the last arrived is stale.
  const auto* content = std::get_if<mls::commit>(&pm->content.content);
  if (content == nullptr || content->proposals.size() != proposals_in_epoch_) return;
  proposals_in_epoch_ = 0;
  ++transition_;
  const bool first = epoch_ == 0;
  epoch_ = pm->content.epoch + 1;
  waiting_ready_.clear();
  if (first) {
    clients_[user].member = true;
    clients_[user].leaf = 0;
    leaves_ = {0};
  }
  const auto announce =
      build_transition_message(static_cast<std::uint16_t>(transition_), mls::encode(commit));
  last_announce_ = announce;
  for (auto& [name, c] : clients_) {
    if (!c.member) continue;
    waiting_ready_.insert(name);
    take(name, c.session->on_binary(opcode::announce_commit, announce.data(), announce.size()));
  }
  for (const auto& added : pending_adds_) {
    auto it = clients_.find(added);
    if (added == user) continue;  // the group's creator is in it already
    if (it == clients_.end() || !welcome) continue;
    auto w = *welcome;
    if (corrupt_welcome_) {
      w[w.size() / 2] ^= 0x40;
      corrupt_welcome_ = false;
    }
    std::uint32_t leaf = 0;
    while (std::find(leaves_.begin(), leaves_.end(), leaf) != leaves_.end()) ++leaf;
    leaves_.push_back(leaf);
    it->second.leaf = leaf;
    it->second.member = true;
    waiting_ready_.insert(added);
    const auto m = build_transition_message(static_cast<std::uint16_t>(transition_), w);
    take(added, it->second.session->on_binary(opcode::welcome, m.data(), m.size()));
  }
  pending_adds_.clear();
}

}  // namespace parley::dave::test
