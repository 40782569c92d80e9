#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace parley::agent {

// One server-sent event (WHATWG HTML "server-sent events" rules).
struct sse_event {
  std::string type = "message";  // the "event:" field
  std::string data;              // "data:" lines joined with '\n'
  std::string id;                // the last "id:" seen on the stream
};

// Incremental server-sent-events parser: feed it bytes as they arrive, in pieces of any size
// (an event, a line or a CRLF may be split across pieces). Pure: no I/O.
class sse_parser {
 public:
  // Returning false stops parsing: feed() returns false and drops the rest of that piece.
  using event_sink = std::function<bool(const sse_event&)>;

  // Throws std::length_error when one line or event exceeds max_event_bytes, so a broken
  // stream cannot grow memory without bound.
  explicit sse_parser(std::size_t max_event_bytes = 1 << 20);

  bool feed(std::string_view bytes, const event_sink& on_event);

 private:
  bool end_of_line(const event_sink& on_event);
  void field(std::string_view name, std::string_view value);
  bool dispatch(const event_sink& on_event);
  void check_size(std::size_t n) const;

  std::size_t max_;
  std::string line_;        // the incomplete line so far
  std::string data_;        // data buffer, each line followed by '\n'
  std::string type_;        // event type of the event being built
  std::string id_;          // last event id: persists across events
  bool after_cr_ = false;   // the previous piece ended with CR: a leading LF belongs to it
  bool first_line_ = true;  // a UTF-8 BOM may open the stream
};

}  // namespace parley::agent
