#pragma once
// A wss_client's events as messages to an actor: (TextAtom, gen, text),
// (ClosedAtom, gen, code, why) and, when asked, (BinaryAtom, gen, bytes). The generation lets the
// actor ignore a replaced socket's late events; a dead actor gets nothing.

#include <caf/all.hpp>
#include <cstdint>
#include <string>

#include "runtime/net/wss_client.hpp"

namespace parley::discord {

template <class TextAtom, class ClosedAtom>
net::wss_handlers forward_to(const caf::actor_addr& to, std::uint64_t gen) {
  auto send = [to](auto... xs) {
    if (auto a = caf::actor_cast<caf::actor>(to)) caf::anon_send(a, xs...);
  };
  net::wss_handlers h;
  h.on_text = [send, gen](std::string t) { send(TextAtom::value, gen, std::move(t)); };
  h.on_close = [send, gen](int code, std::string why) {
    send(ClosedAtom::value, gen, code, std::move(why));
  };
  return h;
}

template <class TextAtom, class ClosedAtom, class BinaryAtom>
net::wss_handlers forward_to(const caf::actor_addr& to, std::uint64_t gen) {
  auto h = forward_to<TextAtom, ClosedAtom>(to, gen);
  h.on_binary = [to, gen](std::string b) {
    if (auto a = caf::actor_cast<caf::actor>(to))
      caf::anon_send(a, BinaryAtom::value, gen, std::move(b));
  };
  return h;
}

}  // namespace parley::discord
