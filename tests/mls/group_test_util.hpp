#pragma once
// Helpers for the group tests: members with fresh key packages, and the
// external sender DAVE's voice gateway is, signing Add and Remove
// proposals for a group's current epoch.

#include <cstdint>
#include <ostream>

#include "actors/transport/discord/mls/group.hpp"
#include "actors/transport/discord/mls/message_protection.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace parley::mls {

// For BOOST_TEST's messages.
inline std::ostream& operator<<(std::ostream& out, commit_effect effect) {
  return out << (effect == commit_effect::applied ? "applied" : "removed");
}

}  // namespace parley::mls

namespace parley::mls::test {

inline member_key_package new_member(std::uint64_t user_id) {
  return create_key_package(user_id_identity(user_id));
}

// A message as it arrives: encoded and decoded again.
inline mls_message over_the_wire(const mls_message& message) {
  return decode<mls_message>(encode(message));
}

inline const welcome& welcome_of(const commit_output& out) {
  return *out.welcome->get<welcome>();
}

struct gateway {
  signature_key_pair key = generate_signature_key();
  std::uint32_t index = 0;

  external_sender sender() const {
    const std::string name = "voice gateway";
    return {key.public_key, {credential_type::basic, bytes(name.begin(), name.end())}};
  }

  extension_list group_extensions() const { return {external_senders_extension({sender()})}; }

  mls_message propose(const group& g, proposal p) const {
    framed_content content;
    content.group_id = g.group_id();
    content.epoch = g.epoch();
    content.sender = {sender_type::external, index};
    content.content = std::move(p);
    const auto signed_content =
        sign_framed_content(wire_format::public_message, content, key.private_key, g.context());
    return over_the_wire({protocol_version_mls10, to_public_message(signed_content, std::nullopt)});
  }

  mls_message add(const group& g, const key_package& package) const {
    return propose(g, {mls::add{package}});
  }

  mls_message remove(const group& g, std::uint32_t leaf) const {
    return propose(g, {mls::remove{leaf}});
  }
};

}  // namespace parley::mls::test
