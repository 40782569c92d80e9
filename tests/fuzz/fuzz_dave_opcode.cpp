// Whatever the voice gateway sends as a DAVE frame — binary (sequence,
// opcode, payload) or JSON text — parses to its typed message or is refused
// with mls::error; never a crash or any other exception. A binary frame
// that parses is rebuilt byte for byte by the server-side builders, and the
// MLS it carries goes on to the MLS decoders, as a client would hand it on,
// and drives a client's dave_session (with its group of one): the session
// answers or refuses it, and no exception ever leaves it.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "actors/transport/discord/dave/dave_opcodes.hpp"
#include "actors/transport/discord/dave/dave_session.hpp"
#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/wire.hpp"

namespace {

using namespace parley;
using namespace parley::dave;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_dave_opcode: %s\n", what);
  std::abort();
}

template <class F>
void refused_or_done(F&& step) {
  try {
    step();
  } catch (const mls::error&) {
  }
}

void same(const mls::bytes& rebuilt, const mls::bytes& payload, const char* what) {
  if (rebuilt != payload) fail(what);
}

// The MLSMessages of an append, back to back until the vector is used up.
void decode_messages(const mls::bytes& messages) {
  mls::tls_reader r(messages);
  while (!r.empty()) {
    const auto* start = r.position();
    const auto m = mls::mls_message::decode(r);
    if (mls::encode(m) != mls::bytes(start, r.position())) fail("appended MLSMessage");
  }
}

void on_payload(std::uint8_t op, const mls::bytes& payload) {
  switch (op) {
    case opcode::external_sender: {
      const auto p = parse_external_sender(payload);
      same(build_external_sender(p.signature_key, p.identity), payload, "external sender");
      if (p.encoded != payload) fail("external sender encoding");
      (void)mls::decode<mls::external_sender>(p.encoded);
      break;
    }
    case opcode::proposals: {
      const auto m = parse_proposals(payload);
      if (m.operation == proposals_operation::revoke) {
        same(build_proposals_revoke(m.refs), payload, "proposals revoke");
      } else {
        same(build_proposals_append({m.messages}), payload, "proposals append");
        decode_messages(m.messages);
      }
      break;
    }
    case opcode::announce_commit: {
      const auto m = parse_announce_commit(payload);
      same(build_transition_message(m.transition_id, m.message), payload, "announce commit");
      (void)mls::decode<mls::mls_message>(m.message);
      break;
    }
    case opcode::welcome: {
      const auto m = parse_welcome(payload);
      same(build_transition_message(m.transition_id, m.message), payload, "welcome");
      (void)mls::decode<mls::welcome>(m.message);
      break;
    }
    default:
      break;
  }
}

void drive_session(const server_frame& f) {
  static const auto gateway =
      build_external_sender(mls::generate_signature_key().public_key, mls::bytes{'g', 'w'});
  dave_session s("1000000000000000002", "1000000000000000500", nullptr);
  (void)s.on_protocol(1);
  (void)s.on_binary(opcode::external_sender, gateway.data(), gateway.size());
  (void)s.on_binary(f.opcode, f.payload.data(), f.payload.size());
  (void)s.encrypt({0xF8, 0xFF, 0xFE});
}

void binary(const std::uint8_t* data, std::size_t size) {
  std::optional<server_frame> frame;
  refused_or_done([&] { frame = parse_server_frame(data, size); });
  if (!frame) {
    if (size >= 3) fail("a frame with a header refused");
    return;
  }
  same(build_server_frame(frame->sequence, frame->opcode, frame->payload),
       mls::bytes(data, data + size), "server frame");
  refused_or_done([&] { on_payload(frame->opcode, frame->payload); });
  drive_session(*frame);
  // What a client sends, read back as the fake server does.
  refused_or_done([&] { (void)parse_client_frame(data, size); });
}

void text(const std::uint8_t* data, std::size_t size) {
  const std::string s(data, data + size);
  refused_or_done([&] {
    const auto m = parse_prepare_transition(s);
    if (parse_prepare_transition(build_prepare_transition(m)).transition_id != m.transition_id)
      fail("prepare transition");
  });
  refused_or_done([&] {
    const auto id = parse_execute_transition(s);
    if (parse_execute_transition(build_execute_transition(id)) != id) fail("execute transition");
  });
  refused_or_done([&] {
    const auto m = parse_prepare_epoch(s);
    if (parse_prepare_epoch(build_prepare_epoch(m)).epoch != m.epoch) fail("prepare epoch");
  });
  refused_or_done([&] { (void)parse_transition_id(s, opcode::transition_ready); });
  refused_or_done([&] { (void)parse_transition_id(s, opcode::invalid_commit_welcome); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  binary(data, size);
  text(data, size);
  return 0;
}
