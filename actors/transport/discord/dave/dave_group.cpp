// The MLS side of a DAVE session: key packages, the group of one, the
// gateway's proposals, commits and Welcomes, with the whitepaper's checks
// on top of MLS's own ("Client Commit Validity", "Welcome Handling").

#include <algorithm>

#include "actors/transport/discord/dave/dave_session_state.hpp"

namespace parley::dave {

namespace {

std::string to_user(const mls::credential& c) {
  auto id = mls::identity_user_id(c.identity);
  return id ? std::to_string(*id) : std::string();
}

// A whole client frame (opcode byte included) as the socket sends it.
outbound binary(const mls::bytes& frame) {
  outbound o;
  o.binary = true;
  o.payload.assign(frame.begin(), frame.end());
  return o;
}

// Only Add and Remove, only from the gateway, only for this epoch, and an
// Add only for someone the gateway said is in the call.
void check_proposal(const dave_session::impl& s, const mls::group& g, const mls::mls_message& m) {
  const auto* pm = m.get<mls::public_message>();
  if (pm == nullptr) throw mls::error("a proposal that is not a PublicMessage");
  const auto& c = pm->content;
  if (c.sender.type != mls::sender_type::external)
    throw mls::error("a proposal not from the gateway");
  if (c.epoch != g.epoch()) throw mls::error("a proposal for another epoch");
  const auto* p = std::get_if<mls::proposal>(&c.content);
  if (p == nullptr) throw mls::error("not a proposal");
  if (const auto* add = std::get_if<mls::add>(&p->value)) {
    const auto user = to_user(add->key_package.leaf_node.credential);
    if (user.empty() || (s.recognized.count(user) == 0 && user != s.user_id))
      throw mls::error("an Add for a user not in the call: " + user);
  } else if (std::get_if<mls::remove>(&p->value) == nullptr) {
    throw mls::error("a proposal other than Add or Remove");
  }
}

// A joined group must be the call's: its one external sender the gateway's,
// everyone in it someone in the call, nobody twice.
void check_welcomed(const dave_session::impl& s, const mls::group& g) {
  const auto senders = mls::external_senders_of(g.extensions());
  if (senders.size() != 1 || !s.external ||
      senders.front().signature_key != s.external->signature_key ||
      senders.front().credential.identity != s.external->identity)
    throw mls::error("the group's external sender is not the voice gateway");
  std::set<std::string> seen;
  for (const auto& m : g.members()) {
    const auto user = to_user(m.credential);
    if (user.empty()) throw mls::error("a member without a user id");
    if (!seen.insert(user).second) throw mls::error("user " + user + " is in the group twice");
    if (user != s.user_id && s.recognized.count(user) == 0)
      throw mls::error("user " + user + " is not in the call");
  }
}

}  // namespace

key_ratchet ratchet_for(const mls::group& g, std::uint64_t user) {
  return key_ratchet(g.export_secret(sender_key_label, sender_key_context(user), media_key_size));
}

std::vector<outbound> send_key_package(dave_session::impl& s) {
  s.own_package = mls::create_key_package(mls::user_id_identity(s.user));
  return resend_key_package(s);
}

std::vector<outbound> resend_key_package(const dave_session::impl& s) {
  return {binary(build_key_package(mls::encode(s.own_package->package)))};
}

void make_local_group(dave_session::impl& s) {
  if (!s.external || !s.own_package || s.group || s.local) return;
  mls::credential cred;
  cred.type = basic_credential;
  cred.identity = s.external->identity;
  mls::extension_list ext = {
      mls::external_senders_extension({mls::external_sender{s.external->signature_key, cred}})};
  s.local = mls::group::create(s.group_id, *s.own_package, std::move(ext));
}

void reset_group(dave_session::impl& s) {
  // Frames stop until the next group's transition: no one can read the old
  // group's keys any more once we are out of it.
  s.encryptor.clear_key_ratchet();
  s.group.reset();
  s.local.reset();
  s.own_commit.reset();
  s.own_package.reset();
  s.privacy_code.clear();
}

std::vector<outbound> handle_proposals(dave_session::impl& s, const mls::bytes& payload) {
  auto* g = s.target();
  if (g == nullptr) {
    s.log("proposals ignored", "no group yet (no external sender or key package)");
    return {};
  }
  const auto message = parse_proposals(payload);
  // Checked and cached on a copy: one bad proposal leaves the group as it was.
  auto next = *g;
  if (message.operation == proposals_operation::revoke) {
    for (const auto& ref : message.refs)
      if (!next.revoke_proposal(ref)) throw mls::error("a revoke for a proposal never received");
  } else {
    mls::tls_reader r(message.messages);
    while (!r.empty()) {
      const auto m = mls::mls_message::decode(r);
      check_proposal(s, next, m);
      next.handle_proposal(m);
    }
  }
  *g = std::move(next);
  if (g->proposal_count() == 0) return {};
  auto out = g->commit();
  s.own_commit = mls::encode(out.commit);
  std::optional<mls::bytes> welcome;
  if (out.welcome) welcome = mls::encode(*out.welcome->get<mls::welcome>());
  ++s.stats.commits;
  return {binary(build_commit_welcome(*s.own_commit, welcome))};
}

bool handle_commit(dave_session::impl& s, const mls::bytes& message) {
  auto* g = s.target();
  if (g == nullptr) throw mls::error("a commit with no group");
  const bool ours = s.own_commit && *s.own_commit == message;
  // Before the group is established only our own commit can start it; a
  // commit from someone else's group of one means a Welcome is coming.
  if (!s.group && !ours) return false;
  const auto m = mls::decode<mls::mls_message>(message);
  if (const auto* pm = m.get<mls::public_message>()) {
    // A commit for another epoch is stale (a replay, or one already taken):
    // ignored, not reported, so it cannot reset the group.
    if (pm->content.epoch != g->epoch()) {
      s.log("commit ignored", "for epoch " + std::to_string(pm->content.epoch) +
                                  ", the group is at " + std::to_string(g->epoch()));
      return false;
    }
    if (const auto* c = std::get_if<mls::commit>(&pm->content.content)) {
      for (const auto& p : c->proposals)
        if (std::holds_alternative<mls::proposal>(p.value))
          throw mls::error("a commit with a proposal not by reference");
    }
  }
  auto next = *g;
  if (next.handle_commit(m) == mls::commit_effect::removed) {
    s.log("removed from the group", "a commit removed this member");
    reset_group(s);
    return false;
  }
  s.group = std::move(next);
  s.local.reset();
  s.own_commit.reset();
  refresh_receive_keys(s);
  return true;
}

bool handle_welcome(dave_session::impl& s, const mls::bytes& message) {
  if (s.group) throw mls::error("a Welcome while already in the group");
  if (!s.own_package) throw mls::error("a Welcome with no key package of ours");
  auto g = mls::group::join(mls::decode<mls::welcome>(message), *s.own_package);
  check_welcomed(s, g);
  s.group = std::move(g);
  s.local.reset();
  s.own_commit.reset();
  ++s.stats.welcomes;
  refresh_receive_keys(s);
  return true;
}

void refresh_receive_keys(dave_session::impl& s) {
  const auto now = clock::now();
  for (const auto& m : s.group->members()) {
    const auto user = to_user(m.credential);
    if (user.empty() || user == s.user_id) continue;
    s.decryptors[user].transition_to_key_ratchet(ratchet_for(*s.group, std::stoull(user)),
                                                 transition_expiry, now);
  }
}

}  // namespace parley::dave
