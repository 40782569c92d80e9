// Whatever the Discord gateway (or anyone in its place) sends in a text
// frame decodes to a message or to a reason, without throwing; and a
// session fed what decoded keeps its own invariants.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "actors/transport/discord/gateway_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::discord;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  const auto m = decode_gateway(text, &why);
  if (!m) {
    if (why.empty()) std::abort();
    return 0;
  }
  if (m->what == gateway_message::kind::hello &&
      (m->heartbeat_interval.count() <= 0 || m->heartbeat_interval.count() > 600000))
    std::abort();
  gateway_session s("token", {0, 1}, [] { return 0.5; });
  const auto now = gateway_session::clock::time_point{};
  s.on_hello(std::chrono::milliseconds(1000), now);
  s.on_message(*m, now);
  const auto step = s.on_close(1006);
  if (step == next_step::resume && !s.has_session()) std::abort();
  return 0;
}
