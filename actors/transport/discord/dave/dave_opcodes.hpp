#pragma once
// The voice gateway's DAVE opcodes (whitepaper "Voice Gateway Opcodes"),
// as libdave, @snazzah/davey 0.1.12 and @discordjs/voice 0.19.2 put them on
// the wire. Binary frames from the server are
//
//   uint16 sequence (big-endian) | uint8 opcode | payload
//
// and from the client `uint8 opcode | payload`. The payloads:
//
//   25 external sender   ExternalSender {opaque signature_key<V>;
//                          Credential {uint16 type = 1 (basic); opaque identity<V>}}
//   26 key package       a bare KeyPackage (not wrapped in an MLSMessage,
//                          whatever the whitepaper says: libdave marshals the
//                          KeyPackage itself and davey sends 00 01 00 02 …)
//   27 proposals         uint8 operation: 0 append, MLSMessage messages<V>;
//                          1 revoke, opaque proposal_refs<V><V>
//   28 commit welcome    MLSMessage commit, then a bare Welcome only when the
//                          commit adds someone (no presence byte)
//   29 announce commit   uint16 transition_id | MLSMessage commit
//   30 welcome           uint16 transition_id | bare Welcome
//
// <V> is MLS's varint length (RFC 9420 §2.1.2). The JSON ones are
// {"op": N, "d": {...}}: 21 prepare transition {transition_id,
// protocol_version}, 22 execute transition {transition_id}, 23 ready for
// transition (client) {transition_id}, 24 prepare epoch {protocol_version,
// epoch}, 31 invalid commit welcome (client) {transition_id}.
//
// The MLS parts stay raw bytes for the MLS layer to decode. Every length is
// checked; anything malformed throws mls::error saying what was wrong.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::dave {

namespace opcode {
constexpr std::uint8_t prepare_transition = 21;
constexpr std::uint8_t execute_transition = 22;
constexpr std::uint8_t transition_ready = 23;
constexpr std::uint8_t prepare_epoch = 24;
constexpr std::uint8_t external_sender = 25;
constexpr std::uint8_t key_package = 26;
constexpr std::uint8_t proposals = 27;
constexpr std::uint8_t commit_welcome = 28;
constexpr std::uint8_t announce_commit = 29;
constexpr std::uint8_t welcome = 30;
constexpr std::uint8_t invalid_commit_welcome = 31;
}  // namespace opcode

constexpr std::uint16_t basic_credential = 1;

// ---- binary, server to client ----

struct server_frame {
  std::uint16_t sequence = 0;
  std::uint8_t opcode = 0;
  mls::bytes payload;
};
server_frame parse_server_frame(const std::uint8_t* data, std::size_t size);

struct external_sender_package {
  mls::bytes signature_key;
  mls::bytes identity;  // of the basic credential
  mls::bytes encoded;   // the ExternalSender as sent, for the group's extension
};
external_sender_package parse_external_sender(const mls::bytes& payload);

enum class proposals_operation : std::uint8_t { append = 0, revoke = 1 };

struct proposals_message {
  proposals_operation operation = proposals_operation::append;
  // append: the MLSMessages back to back, the vector's length prefix
  // removed (decode MLSMessages until it is used up).
  mls::bytes messages;
  // revoke: the proposal references.
  std::vector<mls::bytes> refs;
};
proposals_message parse_proposals(const mls::bytes& payload);

// 29 and 30: a transition id and one MLS message (a commit MLSMessage for
// 29, a bare Welcome for 30).
struct transition_message {
  std::uint16_t transition_id = 0;
  mls::bytes message;
};
transition_message parse_announce_commit(const mls::bytes& payload);
transition_message parse_welcome(const mls::bytes& payload);

// The server's side, for fakes and tests: a whole frame with its sequence.
mls::bytes build_server_frame(std::uint16_t sequence, std::uint8_t opcode,
                              const mls::bytes& payload);
mls::bytes build_external_sender(const mls::bytes& signature_key, const mls::bytes& identity);
// `messages` are whole encoded MLSMessages.
mls::bytes build_proposals_append(const std::vector<mls::bytes>& messages);
mls::bytes build_proposals_revoke(const std::vector<mls::bytes>& refs);
mls::bytes build_transition_message(std::uint16_t transition_id, const mls::bytes& message);

// ---- binary, client to server ----

struct client_frame {
  std::uint8_t opcode = 0;
  mls::bytes payload;
};
client_frame parse_client_frame(const std::uint8_t* data, std::size_t size);

// 26 with the encoded KeyPackage.
mls::bytes build_key_package(const mls::bytes& key_package);
// 28 with the encoded commit MLSMessage and, when it adds members, the
// encoded Welcome.
mls::bytes build_commit_welcome(const mls::bytes& commit, const std::optional<mls::bytes>& welcome);

// ---- JSON ----

struct prepare_transition {
  std::uint16_t transition_id = 0;
  std::uint8_t protocol_version = 0;
};
struct prepare_epoch {
  std::uint8_t protocol_version = 0;
  std::uint64_t epoch = 0;
};
// Each takes a whole text frame and checks its op.
prepare_transition parse_prepare_transition(const std::string& text);
std::uint16_t parse_execute_transition(const std::string& text);
prepare_epoch parse_prepare_epoch(const std::string& text);
// 23 or 31 (the server's side): the transition id.
std::uint16_t parse_transition_id(const std::string& text, int op);

std::string build_transition_ready(std::uint16_t transition_id);
std::string build_invalid_commit_welcome(std::uint16_t transition_id);
// The server's side, for fakes and tests.
std::string build_prepare_transition(const prepare_transition& m);
std::string build_execute_transition(std::uint16_t transition_id);
std::string build_prepare_epoch(const prepare_epoch& m);

}  // namespace parley::dave
