#pragma once
// Protecting and opening MLS messages (RFC 9420 §6): a PublicMessage is
// signed and, from a member, carries a membership tag proving the sender is
// in this epoch; a PrivateMessage is signed, then encrypted with a key from
// the secret tree, its sender hidden under the sender-data key. Every
// check failure throws mls::error: the message is rejected, nothing else.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/group_context.hpp"
#include "actors/transport/discord/mls/secret_tree.hpp"

namespace parley::mls {

// Signs `content` as it will be sent in `format` (the format is part of
// what is signed). A commit's confirmation tag is left unset: it depends on
// the transcript hash, which covers this signature; set it before
// protecting.
authenticated_content sign_framed_content(wire_format format, framed_content content,
                                          const bytes& signature_private_key,
                                          const group_context& context);

// A PublicMessage of handshake content (never application data), with the
// membership tag when the sender is a member.
public_message protect_public(const authenticated_content& content, const group_context& context,
                              const bytes& membership_key);

// Checks that the message belongs to this group and epoch, is not
// application data, carries a valid membership tag from a member sender
// and a valid signature by `signature_public_key` (the sender's, which the
// caller looks up from message.content.sender).
authenticated_content open_public(const public_message& message, const group_context& context,
                                  const bytes& membership_key, const bytes& signature_public_key);

// Encrypts member content with the sender's next key from `tree`, padded
// with `padding` zero bytes.
private_message protect_private(const authenticated_content& content, const group_context& context,
                                secret_tree& tree, const bytes& sender_data_secret,
                                std::size_t padding = 0);

// The signature key of a member leaf; throws mls::error for a blank or
// unknown leaf.
using leaf_signature_key = std::function<bytes(std::uint32_t leaf)>;

// Decrypts the sender data and the content, consuming that generation's
// key (a replay fails), and verifies the sender's signature. A message
// whose content fails to decrypt still uses up its generation: only a
// member who knows sender_data_secret can cause that.
authenticated_content open_private(const private_message& message, const group_context& context,
                                   secret_tree& tree, const bytes& sender_data_secret,
                                   const leaf_signature_key& signature_key);

}  // namespace parley::mls
