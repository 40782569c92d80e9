#pragma once
// What a client may say in a text frame, parsed and checked in one place:
// the connection actor acts on the result, and the fuzzer drives this alone.

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::transport {

struct client_message {
  enum class kind { hello, text, invalid };
  kind what = kind::invalid;
  std::string text;            // kind::text: what the user typed; kind::hello: the resume token
  std::uint64_t received = 0;  // kind::hello: events and reply packets received under it
  std::string code;            // kind::invalid: the error code sent back
  std::string message;         // kind::invalid: why, for people
  // kind::invalid: close the connection with this status; 0 keeps it open.
  std::uint16_t close = 0;
};

// Never throws; anything that is not a known, well-formed message comes back
// as kind::invalid with the error to send.
client_message parse_client_message(std::string_view payload);

}  // namespace parley::transport
