#include "actors/agent/sse_parser.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using parley::agent::sse_event;
using parley::agent::sse_parser;

namespace {

struct collected {
  std::vector<std::string> data;
  std::vector<std::string> types;
  std::vector<std::string> ids;
};

// Feeds the pieces in order and collects every event.
collected parse(const std::vector<std::string>& pieces) {
  sse_parser parser;
  collected out;
  for (const auto& piece : pieces) {
    parser.feed(piece, [&](const sse_event& ev) {
      out.data.push_back(ev.data);
      out.types.push_back(ev.type);
      out.ids.push_back(ev.id);
      return true;
    });
  }
  return out;
}

std::vector<std::string> data_of(const std::string& stream) {
  return parse({stream}).data;
}

using strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(sse_parser_suite)

BOOST_AUTO_TEST_CASE(line_endings_lf_crlf_and_cr) {
  BOOST_TEST(data_of("data: a\n\ndata: b\n\n") == (strings{"a", "b"}),
             boost::test_tools::per_element());
  BOOST_TEST(data_of("data: a\r\n\r\ndata: b\r\n\r\n") == (strings{"a", "b"}),
             boost::test_tools::per_element());
  BOOST_TEST(data_of("data: a\r\rdata: b\r\r") == (strings{"a", "b"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_split_point_gives_the_same_events) {
  const std::string stream =
      ": keep-alive\r\n"
      "data: {\"n\":1}\r\n\r\n"
      "event: update\r\nid: 7\r\ndata: first\r\ndata: second\r\n\r\n"
      "data:[DONE]\r\n\r\n";
  const strings expected{"{\"n\":1}", "first\nsecond", "[DONE]"};
  BOOST_TEST(data_of(stream) == expected, boost::test_tools::per_element());
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); b += 7) {
      const auto got = parse({stream.substr(0, a), stream.substr(a, b - a), stream.substr(b)});
      BOOST_TEST_REQUIRE((got.data == expected), "split at " << a << "," << b);
    }
  }
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  const auto one_by_one = parse(bytes);
  BOOST_TEST(one_by_one.data == expected, boost::test_tools::per_element());
  BOOST_TEST(one_by_one.types == (strings{"message", "update", "message"}),
             boost::test_tools::per_element());
  BOOST_TEST(one_by_one.ids == (strings{"", "7", "7"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crlf_split_between_pieces_is_one_line_end) {
  // Were "\r" + "\n" two line ends, the blank line would end the event after "a".
  const auto got = parse({"data: a\r", "\ndata: b\r\n\r", "\n"});
  BOOST_TEST(got.data == strings{"a\nb"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(field_syntax) {
  BOOST_TEST(data_of("data:no space\n\n") == strings{"no space"}, boost::test_tools::per_element());
  BOOST_TEST(data_of("data:  two spaces\n\n") == strings{" two spaces"},
             boost::test_tools::per_element());
  BOOST_TEST(data_of("data\n\n") == strings{""}, boost::test_tools::per_element());
  BOOST_TEST(data_of("data: a:b: c\n\n") == strings{"a:b: c"}, boost::test_tools::per_element());
  BOOST_TEST(data_of("retry: 10\nfoo: bar\ndata: x\n\n") == strings{"x"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(what_is_not_an_event) {
  BOOST_TEST(data_of(": comment\n\n").empty());
  BOOST_TEST(data_of("event: ping\n\n").empty());  // no data: not dispatched
  BOOST_TEST(data_of("data: cut off\n").empty());  // no blank line yet
  // The type of an undispatched event does not leak into the next one.
  BOOST_TEST(parse({"event: ping\n\ndata: x\n\n"}).types == strings{"message"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(utf8_bom_at_stream_start_is_ignored) {
  BOOST_TEST(data_of("\xEF\xBB\xBF"
                     "data: a\n\n") == strings{"a"},
             boost::test_tools::per_element());
  BOOST_TEST(parse({"\xEF\xBB",
                    "\xBF"
                    "data: a\n\n"})
                     .data == strings{"a"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sink_returning_false_stops_parsing) {
  sse_parser parser;
  strings seen;
  const bool more = parser.feed("data: 1\n\ndata: 2\n\ndata: 3\n\n", [&](const sse_event& ev) {
    seen.push_back(ev.data);
    return seen.size() < 2;
  });
  BOOST_TEST(!more);
  BOOST_TEST(seen == (strings{"1", "2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(oversized_lines_throw) {
  sse_parser parser(64);
  const auto ignore = [](const sse_event&) { return true; };
  BOOST_CHECK_NO_THROW(parser.feed("data: " + std::string(50, 'x') + "\n\n", ignore));
  BOOST_CHECK_THROW(parser.feed("data: " + std::string(70, 'x'), ignore), std::length_error);
  sse_parser many(64);
  std::string lines;
  for (int i = 0; i < 10; ++i) lines += "data: 0123456789\n";
  BOOST_CHECK_THROW(many.feed(lines, ignore), std::length_error);
}

BOOST_AUTO_TEST_SUITE_END()
