#include "actors/agent/sse_parser.hpp"

#include <stdexcept>

namespace parley::agent {

sse_parser::sse_parser(std::size_t max_event_bytes) : max_(max_event_bytes) {}

bool sse_parser::feed(std::string_view bytes, const event_sink& on_event) {
  while (!bytes.empty()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes.front() == '\n') {  // second half of a CRLF split across pieces
        bytes.remove_prefix(1);
        continue;
      }
    }
    const auto eol = bytes.find_first_of("\r\n");
    if (eol == std::string_view::npos) {
      check_size(line_.size() + bytes.size());
      line_.append(bytes);
      return true;
    }
    check_size(line_.size() + eol);
    line_.append(bytes.substr(0, eol));
    if (bytes[eol] == '\r') {
      if (eol + 1 < bytes.size()) {
        bytes.remove_prefix(bytes[eol + 1] == '\n' ? eol + 2 : eol + 1);
      } else {
        bytes.remove_prefix(eol + 1);
        after_cr_ = true;
      }
    } else {
      bytes.remove_prefix(eol + 1);
    }
    if (!end_of_line(on_event)) return false;
  }
  return true;
}

bool sse_parser::end_of_line(const event_sink& on_event) {
  std::string line = std::move(line_);
  line_.clear();
  if (first_line_) {
    first_line_ = false;
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  }
  if (line.empty()) return dispatch(on_event);
  if (line.front() == ':') return true;  // comment, e.g. a keep-alive
  const std::string_view view(line);
  const auto colon = view.find(':');
  if (colon == std::string_view::npos) {
    field(view, {});
    return true;
  }
  std::string_view value = view.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  field(view.substr(0, colon), value);
  return true;
}

void sse_parser::field(std::string_view name, std::string_view value) {
  if (name == "data") {
    check_size(data_.size() + value.size() + 1);
    data_.append(value);
    data_ += '\n';
  } else if (name == "event") {
    type_ = std::string(value);
  } else if (name == "id" && value.find('\0') == std::string_view::npos) {
    id_ = std::string(value);
  }
  // "retry" and unknown fields are ignored, as the standard says.
}

bool sse_parser::dispatch(const event_sink& on_event) {
  if (data_.empty()) {  // an event without data is not dispatched
    type_.clear();
    return true;
  }
  sse_event ev;
  data_.pop_back();  // the '\n' after the last data line
  ev.data = std::move(data_);
  if (!type_.empty()) ev.type = std::move(type_);
  ev.id = id_;
  data_.clear();
  type_.clear();
  return on_event(ev);
}

void sse_parser::check_size(std::size_t n) const {
  if (n > max_) throw std::length_error("server-sent event larger than the limit");
}

}  // namespace parley::agent
