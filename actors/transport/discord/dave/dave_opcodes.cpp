#include "actors/transport/discord/dave/dave_opcodes.hpp"

#include <nlohmann/json.hpp>

#include "actors/transport/discord/mls/crypto.hpp"

namespace parley::dave {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw mls::error("dave: " + what);
}

// Runs `read` over the whole payload; any failure (a short read, trailing
// bytes, a bad value) becomes one error naming the opcode.
template <class T, class F>
T read_all(const mls::bytes& payload, const char* name, F&& read) {
  try {
    mls::tls_reader r(payload);
    T value = read(r);
    r.finish();
    return value;
  } catch (const mls::error& e) {
    fail(std::string(name) + ": " + e.what());
  }
}

transition_message read_transition(const mls::bytes& payload, const char* name) {
  return read_all<transition_message>(payload, name, [&](mls::tls_reader& r) {
    transition_message m;
    m.transition_id = r.u16();
    if (r.empty()) throw mls::error("no MLS message after the transition id");
    m.message = r.raw(r.left());
    return m;
  });
}

json body_of(const std::string& text, int op) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail("opcode " + std::to_string(op) + ": not JSON");
  if (!j.contains("op") || !j["op"].is_number_integer() || j["op"].get<int>() != op)
    fail("opcode " + std::to_string(op) + ": wrong or missing op");
  if (!j.contains("d") || !j["d"].is_object())
    fail("opcode " + std::to_string(op) + ": no d object");
  return j["d"];
}

std::uint64_t unsigned_field(const json& d, const char* key, std::uint64_t max, int op) {
  if (!d.contains(key) || !d[key].is_number_unsigned() || d[key].get<std::uint64_t>() > max)
    fail("opcode " + std::to_string(op) + ": " + key + " missing or out of range");
  return d[key].get<std::uint64_t>();
}

std::uint16_t transition_id_of(const json& d, int op) {
  return static_cast<std::uint16_t>(unsigned_field(d, "transition_id", 0xFFFF, op));
}

std::uint8_t version_of(const json& d, int op) {
  return static_cast<std::uint8_t>(unsigned_field(d, "protocol_version", 0xFF, op));
}

std::string message(int op, json d) {
  return json{{"op", op}, {"d", std::move(d)}}.dump();
}

}  // namespace

// ---- binary, server to client ----

server_frame parse_server_frame(const std::uint8_t* data, std::size_t size) {
  if (size < 3) fail("binary frame of " + std::to_string(size) + " bytes has no header");
  server_frame f;
  f.sequence = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
  f.opcode = data[2];
  f.payload.assign(data + 3, data + size);
  return f;
}

external_sender_package parse_external_sender(const mls::bytes& payload) {
  return read_all<external_sender_package>(payload, "external sender", [&](mls::tls_reader& r) {
    external_sender_package p;
    p.signature_key = r.opaque();
    if (p.signature_key.empty()) throw mls::error("empty signature key");
    const auto type = r.u16();
    if (type != basic_credential)
      throw mls::error("credential type " + std::to_string(type) + " is not basic");
    p.identity = r.opaque();
    p.encoded = payload;
    return p;
  });
}

proposals_message parse_proposals(const mls::bytes& payload) {
  return read_all<proposals_message>(payload, "proposals", [&](mls::tls_reader& r) {
    proposals_message m;
    const auto op = r.u8();
    if (op == static_cast<std::uint8_t>(proposals_operation::append)) {
      m.operation = proposals_operation::append;
      m.messages = r.opaque();
      if (m.messages.empty()) throw mls::error("append without messages");
    } else if (op == static_cast<std::uint8_t>(proposals_operation::revoke)) {
      m.operation = proposals_operation::revoke;
      r.vector([&](mls::tls_reader& inner) {
        auto ref = inner.opaque();
        if (ref.size() != mls::hash_size)
          throw mls::error("a proposal ref of " + std::to_string(ref.size()) + " bytes");
        m.refs.push_back(std::move(ref));
      });
      if (m.refs.empty()) throw mls::error("revoke without refs");
    } else {
      throw mls::error("unknown operation " + std::to_string(op));
    }
    return m;
  });
}

transition_message parse_announce_commit(const mls::bytes& payload) {
  return read_transition(payload, "announce commit");
}

transition_message parse_welcome(const mls::bytes& payload) {
  return read_transition(payload, "welcome");
}

mls::bytes build_server_frame(std::uint16_t sequence, std::uint8_t opcode,
                              const mls::bytes& payload) {
  mls::tls_writer w;
  w.u16(sequence);
  w.u8(opcode);
  w.raw(payload);
  return w.take();
}

mls::bytes build_external_sender(const mls::bytes& signature_key, const mls::bytes& identity) {
  mls::tls_writer w;
  w.opaque(signature_key);
  w.u16(basic_credential);
  w.opaque(identity);
  return w.take();
}

mls::bytes build_proposals_append(const std::vector<mls::bytes>& messages) {
  mls::tls_writer w;
  w.u8(static_cast<std::uint8_t>(proposals_operation::append));
  w.vector([&](mls::tls_writer& inner) {
    for (const auto& m : messages) inner.raw(m);
  });
  return w.take();
}

mls::bytes build_proposals_revoke(const std::vector<mls::bytes>& refs) {
  mls::tls_writer w;
  w.u8(static_cast<std::uint8_t>(proposals_operation::revoke));
  w.vector([&](mls::tls_writer& inner) {
    for (const auto& ref : refs) inner.opaque(ref);
  });
  return w.take();
}

mls::bytes build_transition_message(std::uint16_t transition_id, const mls::bytes& message) {
  mls::tls_writer w;
  w.u16(transition_id);
  w.raw(message);
  return w.take();
}

// ---- binary, client to server ----

client_frame parse_client_frame(const std::uint8_t* data, std::size_t size) {
  if (size < 1) fail("empty binary frame");
  return {data[0], mls::bytes(data + 1, data + size)};
}

mls::bytes build_key_package(const mls::bytes& key_package) {
  if (key_package.empty()) fail("key package: empty");
  mls::tls_writer w;
  w.u8(opcode::key_package);
  w.raw(key_package);
  return w.take();
}

mls::bytes build_commit_welcome(const mls::bytes& commit,
                                const std::optional<mls::bytes>& welcome) {
  if (commit.empty()) fail("commit welcome: empty commit");
  mls::tls_writer w;
  w.u8(opcode::commit_welcome);
  w.raw(commit);
  if (welcome) w.raw(*welcome);
  return w.take();
}

// ---- JSON ----

prepare_transition parse_prepare_transition(const std::string& text) {
  const auto d = body_of(text, opcode::prepare_transition);
  return {transition_id_of(d, opcode::prepare_transition),
          version_of(d, opcode::prepare_transition)};
}

std::uint16_t parse_execute_transition(const std::string& text) {
  return transition_id_of(body_of(text, opcode::execute_transition), opcode::execute_transition);
}

prepare_epoch parse_prepare_epoch(const std::string& text) {
  const auto d = body_of(text, opcode::prepare_epoch);
  return {version_of(d, opcode::prepare_epoch),
          unsigned_field(d, "epoch", ~std::uint64_t{0}, opcode::prepare_epoch)};
}

std::uint16_t parse_transition_id(const std::string& text, int op) {
  return transition_id_of(body_of(text, op), op);
}

std::string build_transition_ready(std::uint16_t transition_id) {
  return message(opcode::transition_ready, {{"transition_id", transition_id}});
}

std::string build_invalid_commit_welcome(std::uint16_t transition_id) {
  return message(opcode::invalid_commit_welcome, {{"transition_id", transition_id}});
}

std::string build_prepare_transition(const prepare_transition& m) {
  return message(opcode::prepare_transition,
                 {{"transition_id", m.transition_id}, {"protocol_version", m.protocol_version}});
}

std::string build_execute_transition(std::uint16_t transition_id) {
  return message(opcode::execute_transition, {{"transition_id", transition_id}});
}

std::string build_prepare_epoch(const prepare_epoch& m) {
  return message(opcode::prepare_epoch,
                 {{"protocol_version", m.protocol_version}, {"epoch", m.epoch}});
}

}  // namespace parley::dave
