#include "actors/agent/chat_stream.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace parley::agent;

namespace {

using strings = std::vector<std::string>;

std::string event(const std::string& delta, const std::string& finish = "null") {
  return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
         "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":" +
         delta + ",\"logprobs\":null,\"finish_reason\":" + finish + "}]}\n\n";
}

// The shape of a real OpenAI stream: role chunk, content chunks, finish chunk, [DONE].
const std::string openai_stream = event(R"({"role":"assistant","content":""})") +
                                  event(R"({"content":"Hel"})") + event(R"({"content":"lo, w"})") +
                                  event(R"({"content":"örld\n"})") + event("{}", "\"stop\"") +
                                  "data: [DONE]\n\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(chat_stream_suite)

BOOST_AUTO_TEST_CASE(chunk_kinds) {
  const auto text =
      parse_chat_chunk(R"({"choices":[{"delta":{"content":"hi"},"finish_reason":null}]})");
  BOOST_TEST((text.what == chat_chunk::kind::text));
  BOOST_TEST(text.text == "hi");
  BOOST_TEST(!text.finished);
  const auto role =
      parse_chat_chunk(R"({"choices":[{"delta":{"role":"assistant","content":""}}]})");
  BOOST_TEST((role.what == chat_chunk::kind::other));
  const auto null_content = parse_chat_chunk(R"({"choices":[{"delta":{"content":null}}]})");
  BOOST_TEST((null_content.what == chat_chunk::kind::other));
  const auto stop = parse_chat_chunk(R"({"choices":[{"delta":{},"finish_reason":"stop"}]})");
  BOOST_TEST((stop.what == chat_chunk::kind::other));
  BOOST_TEST(stop.finished);
  const auto usage = parse_chat_chunk(R"({"choices":[],"usage":{"total_tokens":3}})");
  BOOST_TEST((usage.what == chat_chunk::kind::other));
  BOOST_TEST((parse_chat_chunk("[DONE]").what == chat_chunk::kind::done));
  const auto error =
      parse_chat_chunk(R"({"error":{"message":"overloaded","type":"server_error"}})");
  BOOST_TEST((error.what == chat_chunk::kind::error));
  BOOST_TEST(error.text == "overloaded");
  const auto broken = parse_chat_chunk(R"({"choices":[{"delta":)");
  BOOST_TEST((broken.what == chat_chunk::kind::error));
}

BOOST_AUTO_TEST_CASE(provider_error_messages) {
  BOOST_TEST(
      provider_error_message(
          R"({"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}})") ==
      "Incorrect API key provided");
  BOOST_TEST(provider_error_message(R"({"error":"model not found"})") == "model not found");
  BOOST_TEST(provider_error_message("<html>502 Bad Gateway</html>").empty());
  BOOST_TEST(provider_error_message(R"({"ok":true})").empty());
}

BOOST_AUTO_TEST_CASE(completion_content_of_a_plain_response) {
  BOOST_TEST(completion_content(R"({"choices":[{"message":{"role":"assistant","content":"Hi."}}]})")
                 .value() == "Hi.");
  BOOST_TEST(!completion_content(R"({"choices":[]})").has_value());
  BOOST_TEST(!completion_content("not json").has_value());
}

BOOST_AUTO_TEST_CASE(stream_fed_byte_by_byte_gives_the_deltas_in_order) {
  chat_stream stream;
  strings pieces;
  for (char c : openai_stream)
    stream.feed(std::string_view(&c, 1), [&](std::string_view t) {
      pieces.emplace_back(t);
      return true;
    });
  BOOST_TEST(pieces == (strings{"Hel", "lo, w", "örld\n"}), boost::test_tools::per_element());
  BOOST_TEST(stream.done());
  BOOST_TEST(stream.finished());
  BOOST_TEST(!stream.error().has_value());
  BOOST_TEST(!stream.cancelled());
}

BOOST_AUTO_TEST_CASE(cancel_stops_the_stream) {
  chat_stream stream;
  strings pieces;
  const bool more = stream.feed(openai_stream, [&](std::string_view t) {
    pieces.emplace_back(t);
    return pieces.size() < 2;
  });
  BOOST_TEST(!more);
  BOOST_TEST(stream.cancelled());
  BOOST_TEST(pieces.size() == 2u);
  BOOST_TEST(!stream.feed(event(R"({"content":"late"})"), [](std::string_view) { return true; }));
}

BOOST_AUTO_TEST_CASE(error_inside_the_stream) {
  chat_stream stream;
  strings pieces;
  const auto sink = [&](std::string_view t) {
    pieces.emplace_back(t);
    return true;
  };
  stream.feed(event(R"({"content":"par"})") +
                  "data: {\"error\":{\"message\":\"The server is overloaded\"}}\n\n" +
                  event(R"({"content":"never"})"),
              sink);
  BOOST_TEST(pieces == strings{"par"}, boost::test_tools::per_element());
  BOOST_TEST(stream.error().value() == "The server is overloaded");
  BOOST_TEST(!stream.done());

  chat_stream named;
  named.feed("event: error\ndata: {\"error\":{\"message\":\"quota\"}}\n\n", sink);
  BOOST_TEST(named.error().value() == "quota");
}

BOOST_AUTO_TEST_SUITE_END()
