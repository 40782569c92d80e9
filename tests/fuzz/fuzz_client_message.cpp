// Whatever a client puts in a text frame parses to a message or to an error
// to send back, without throwing, and the result is always well formed.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "actors/transport/websocket/client_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using parley::transport::client_message;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto m = parley::transport::parse_client_message(payload);
  switch (m.what) {
    case client_message::kind::invalid:
      if (m.code.empty() || m.message.empty() || m.message.size() > 200) std::abort();
      break;
    case client_message::kind::text:
      if (m.text.empty() || m.text.size() > 2000) std::abort();
      break;
    case client_message::kind::hello:
      break;
  }
  return 0;
}
