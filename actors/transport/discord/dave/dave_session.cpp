#include "actors/transport/discord/dave/dave_session.hpp"

#include "actors/transport/discord/dave/dave_session_state.hpp"
#include "actors/transport/discord/dave/privacy_code.hpp"

namespace parley::dave {

namespace {

using impl = dave_session::impl;

outbound text(std::string json) {
  return {false, std::move(json)};
}

void append(std::vector<outbound>& to, std::vector<outbound> more) {
  for (auto& o : more) to.push_back(std::move(o));
}

std::uint64_t user_number(const std::string& id) {
  try {
    std::size_t used = 0;
    const auto n = std::stoull(id, &used);
    if (used == id.size()) return n;
  } catch (const std::exception&) {
  }
  throw mls::error("not a Discord user or channel id: " + id);
}

// A fresh key package, and with the gateway's external sender known, the
// group of one it would start.
std::vector<outbound> start_over(impl& s) {
  reset_group(s);
  auto out = send_key_package(s);
  make_local_group(s);
  return out;
}

void execute(impl& s, const pending_transition& t) {
  s.protocol = t.protocol_version;
  ++s.stats.transitions;
  const auto now = clock::now();
  if (s.protocol == 0 || !s.group) {
    // Transport only (version 0): frames go out and come in as they are.
    // DAVE before the call's group exists: frames out are not sent (see
    // encrypt), frames in may come in the clear, as other clients send
    // them until their group is ready too.
    s.encryptor.set_passthrough(s.protocol == 0);
    for (auto& [user, d] : s.decryptors) d.set_passthrough(true, transition_expiry, now);
    if (s.protocol == 0) s.privacy_code.clear();
    return;
  }
  s.encryptor.set_passthrough(false);
  s.encryptor.set_key_ratchet(ratchet_for(*s.group, s.user));
  for (auto& [user, d] : s.decryptors) d.set_passthrough(false, transition_expiry, now);
  s.privacy_code = voice_privacy_code(s.group->epoch_authenticator());
}

// After a commit or Welcome moved the group: ready for its transition, or
// (transition 0) at once.
std::vector<outbound> ready(impl& s, int transition_id) {
  const pending_transition t{transition_id, s.announced};
  if (transition_id == 0) {
    execute(s, t);
    return {};
  }
  s.pending = t;
  return {text(build_transition_ready(static_cast<std::uint16_t>(transition_id)))};
}

// Whitepaper "Recovery from Invalid Commit or Welcome": tell the gateway,
// which removes and re-adds us; start over with a fresh key package.
std::vector<outbound> invalid(impl& s, int transition_id, const std::string& what,
                              const std::string& why) {
  ++s.stats.invalid;
  s.log(what + " refused", why);
  std::vector<outbound> out = {
      text(build_invalid_commit_welcome(static_cast<std::uint16_t>(transition_id)))};
  append(out, start_over(s));
  return out;
}

std::vector<outbound> on_transition_message(impl& s, std::uint8_t op, const mls::bytes& payload) {
  const auto t =
      op == opcode::announce_commit ? parse_announce_commit(payload) : parse_welcome(payload);
  const char* what = op == opcode::announce_commit ? "commit" : "Welcome";
  try {
    const bool moved =
        op == opcode::announce_commit ? handle_commit(s, t.message) : handle_welcome(s, t.message);
    if (!moved) return {};
  } catch (const mls::error& e) {
    return invalid(s, t.transition_id, what, e.what());
  }
  return ready(s, t.transition_id);
}

}  // namespace

dave_session::dave_session(std::string user_id, std::string channel_id, logger log)
    : impl_(std::make_unique<impl>()) {
  auto& s = *impl_;
  s.user_id = std::move(user_id);
  s.user = user_number(s.user_id);
  s.group_id = mls::user_id_identity(user_number(channel_id));
  s.log = std::move(log);
  if (!s.log) s.log = [](const std::string&, const std::string&) {};
}

dave_session::~dave_session() = default;

std::vector<outbound> dave_session::on_protocol(int version) {
  auto& s = *impl_;
  s.announced = version;
  reset_group(s);  // a new voice session: a new membership
  execute(s, {0, version});
  if (version == 0) return {};
  return start_over(s);
}

std::vector<outbound> dave_session::on_binary(int op, const std::uint8_t* data, std::size_t size) {
  auto& s = *impl_;
  const mls::bytes payload(data, data + size);
  try {
    switch (op) {
      case opcode::external_sender:
        s.external = parse_external_sender(payload);
        make_local_group(s);
        return {};
      case opcode::proposals:
        return handle_proposals(s, payload);
      case opcode::announce_commit:
      case opcode::welcome:
        return on_transition_message(s, static_cast<std::uint8_t>(op), payload);
      default:
        s.log("binary opcode ignored", "unknown opcode " + std::to_string(op));
        return {};
    }
  } catch (const mls::error& e) {
    s.log("DAVE opcode " + std::to_string(op) + " refused", e.what());
    return {};
  }
}

std::vector<outbound> dave_session::on_prepare_transition(int transition_id, int protocol_version) {
  auto& s = *impl_;
  s.announced = protocol_version;
  const pending_transition t{transition_id, protocol_version};
  if (protocol_version == 0) {
    // A downgrade: receivers take unencrypted frames from now on.
    for (auto& [user, d] : s.decryptors) d.set_passthrough(true, transition_expiry, clock::now());
  }
  if (transition_id == 0) {
    execute(s, t);
    return {};
  }
  s.pending = t;
  return {text(build_transition_ready(static_cast<std::uint16_t>(transition_id)))};
}

std::vector<outbound> dave_session::on_execute_transition(int transition_id) {
  auto& s = *impl_;
  if (!s.pending || s.pending->id != transition_id) {
    s.log("transition ignored",
          "execute for transition " + std::to_string(transition_id) + " that was never prepared");
    return {};
  }
  execute(s, *s.pending);
  s.pending.reset();
  return {};
}

std::vector<outbound> dave_session::on_prepare_epoch(int protocol_version, std::uint64_t epoch) {
  auto& s = *impl_;
  // Epoch 1: the group is made anew (a sole member's reset, an upgrade).
  s.announced = protocol_version;
  if (epoch != 1) return {};
  return start_over(s);
}

std::vector<outbound> dave_session::on_resumed() {
  auto& s = *impl_;
  if (s.announced == 0 || s.group || !s.own_package) return {};
  return resend_key_package(s);
}

void dave_session::users_connected(const std::vector<std::string>& users) {
  impl_->recognized.insert(users.begin(), users.end());
}

void dave_session::user_disconnected(const std::string& user) {
  impl_->recognized.erase(user);
  impl_->decryptors.erase(user);
}

std::optional<frame> dave_session::encrypt(const frame& opus) {
  auto& s = *impl_;
  auto out = s.encryptor.encrypt_opus(opus);
  if (out) ++s.stats.encrypted;
  return out;
}

std::optional<frame> dave_session::decrypt(const std::string& user, const frame& data) {
  auto& s = *impl_;
  auto it = s.decryptors.find(user);
  if (it == s.decryptors.end()) {
    if (s.protocol == 0) return data;
    it = s.decryptors.emplace(user, frame_decryptor{}).first;
  }
  auto r = it->second.decrypt(data, clock::now());
  if (!r.ok()) {
    // Logged at the 1st, 2nd, 4th, 8th… failure: a flood of bad frames
    // cannot flood the log, and one bad frame is still seen.
    const auto n = ++s.stats.decrypt_failures;
    if ((n & (n - 1)) == 0)
      s.log("frame refused", std::string(to_string(r.status)) + " (from " + user + ", " +
                                 std::to_string(n) + " refused so far)");
    return std::nullopt;
  }
  if (r.status == decrypt_status::decrypted) {
    ++s.stats.decrypted;
  } else {
    ++s.stats.passthroughs;
  }
  return std::move(r.frame);
}

int dave_session::protocol_version() const {
  return impl_->protocol;
}

std::optional<std::uint64_t> dave_session::epoch() const {
  if (!impl_->group) return std::nullopt;
  return impl_->group->epoch();
}

std::string dave_session::privacy_code() const {
  return impl_->privacy_code;
}

std::vector<std::string> dave_session::members() const {
  std::vector<std::string> out;
  if (!impl_->group) return out;
  for (const auto& m : impl_->group->members())
    if (auto id = mls::identity_user_id(m.credential.identity)) out.push_back(std::to_string(*id));
  return out;
}

const session_stats& dave_session::stats() const {
  return impl_->stats;
}

}  // namespace parley::dave
